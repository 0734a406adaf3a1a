"""Tickets context: after-sales tickets, their lines, transitions and audit chain."""
