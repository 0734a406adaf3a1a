"""Review sentiment (zh, en) from a model shipped with the code, and the causes of negative reviews."""
