"""Authentication: tenant API keys, customer and staff tokens, the authorizer's decision."""
