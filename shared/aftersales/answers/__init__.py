"""Automatic answers to routine questions: a per-tenant knowledge base, answers computed from the
customer's own ticket, and the decision to answer or to hand the conversation to an agent."""
