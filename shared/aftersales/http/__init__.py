"""HTTP adapter: the Powertools REST resolver, request/response schemas, error mapping."""
