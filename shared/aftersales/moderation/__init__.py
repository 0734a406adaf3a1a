"""Review text moderation: prohibited words (normalised text, one automaton per lexicon version),
near-duplicate templates (MinHash with banded LSH over a SignatureIndex) and the verdict that turns
findings and behaviour signals into publish / pending_review / reject with its reasons. It filters
abuse and fakes, never opinions: nothing here reads how negative a review is."""
