"""Disputes: a customer (or a payment platform) contests a decision on a ticket; an arbitrator who
took no part in that decision reviews and decides it, once more on appeal."""
