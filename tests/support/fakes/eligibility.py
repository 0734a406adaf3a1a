"""The intake rules store: the generic in-memory draft store (fakes/drafts.py) for IntakeRules."""

from __future__ import annotations

from aftersales.eligibility.defaults import RULES
from aftersales.eligibility.rules import IntakeRules
from tests.support.fakes.drafts import InMemoryDraftStore


class InMemoryRulesStore(InMemoryDraftStore[IntakeRules]):
    def __init__(self) -> None:
        super().__init__(RULES)
