"""After-sales platform domain package (shipped as the Lambda layer)."""
