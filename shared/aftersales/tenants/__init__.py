"""Tenants (merchants): profile, signing keys, API keys and staff users."""
