"""Analytics: per-tenant daily and monthly buckets projected from ticket events, and monthly exports."""
