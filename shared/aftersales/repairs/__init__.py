"""Repairs with service providers: offers, appointments, visits, parts traceability, confirmation."""
