"""Outbound webhooks: tenants' endpoints, Standard Webhooks signing, delivery with retries, the
delivery log, replay, the event catalogue and the destination guard."""
