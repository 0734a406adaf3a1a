"""Notifications context: the customer-notification outbox (templates per event x locale x channel)."""
