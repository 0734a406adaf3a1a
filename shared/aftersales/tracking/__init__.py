"""The customer's tracking page: a ticket's progress behind a signed link (no login)."""
