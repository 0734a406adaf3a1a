"""Domain events: ticket audit entries become EventBridge events."""
