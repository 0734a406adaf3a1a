"""Risk: sliding-window counters kept by a stream consumer, and an explainable 0-100 score."""
