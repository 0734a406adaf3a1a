"""Refunds: what is refundable, the grant (decision) and its attempts (execution), the payment ledger.

Also holds, until a fulfilment context exists, the repair state machine and the exchange
reshipment warehouse choice.
"""
