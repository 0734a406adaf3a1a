"""Eligibility: the tenant's intake rules and the automatic triage of new tickets."""
