"""`make bench`: cold starts, AWS requests per operation, throughput. Never part of `make test`.

Every module `bench/<name>.py` with a `run() -> list[Section]` is picked up in name order.
"""
