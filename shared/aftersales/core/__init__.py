"""Cross-cutting primitives: money, clock, ids, errors, settings, i18n."""
