"""Helpdesks both ways: our tickets in a tenant's Zendesk or Freshdesk, their agents' changes back."""
