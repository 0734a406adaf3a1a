"""Fulfilment: what happens after a decision (start flows, reshipment, repair dispatch, order write-back)."""
