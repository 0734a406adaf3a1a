"""Approvals: per-tenant routing policy, review state and the policy simulator (pure domain)."""
