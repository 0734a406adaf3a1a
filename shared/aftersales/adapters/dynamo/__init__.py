"""PynamoDB models and repositories. Table names are bound by `bind()` at composition time,
never at import, so importing this package opens no connection and reads no environment."""
