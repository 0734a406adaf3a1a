"""Logistics context: carrier webhook verification, tracking normalisation, parcel progression and
the pure decisions that delivery exceptions trigger."""
