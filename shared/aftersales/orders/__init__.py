"""Orders context: order snapshots pushed by storefronts."""
