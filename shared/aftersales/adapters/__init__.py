"""Adapters: implementations of the domain's ports (DynamoDB, EventBridge, providers)."""
