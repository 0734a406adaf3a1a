"""What a tenant may change of the verdict (aftersales.moderation.verdict.Policy), and within what.

Part of the tenant's moderation settings (lexicon.Lexicon.verdict); a field left unset keeps the
platform's value. The bounds are chosen so that no combination can turn the verdict against
opinions (docs/decisions.md, 2026-12-02, "Per-tenant moderation settings"):
* every weight is >= 0, and no field reads the rating or the text's sentiment on its own: the one
  sentiment input is the rating/text contradiction, which counts the same in both directions;
* the contradiction weight stays below the lowest allowed review threshold, so it never holds a
  review by itself;
* a review threshold's range ends where its reject threshold's range starts, so review <= reject
  for every combination; one prohibited term (at the highest weight) stays below the lowest reject
  threshold, so one word sends a review to a person, never to rejection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel

if TYPE_CHECKING:
    from .verdict import Policy


class VerdictTuning(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    high_term: float | None = Field(default=None, ge=0.5, le=1.5, description="Abuse per distinct high term")
    low_term: float | None = Field(default=None, ge=0.1, le=1.0, description="Abuse per distinct low term")
    review_abuse: float | None = Field(default=None, ge=0.3, le=2.0, description="Abuse that holds for a person")
    reject_abuse: float | None = Field(default=None, ge=2.0, le=10.0, description="Abuse that rejects")
    duplicate_weight: float | None = Field(default=None, ge=0.3, le=1.0, description="x similarity of a near-copy")
    unverified_buyer: float | None = Field(default=None, ge=0.0, le=0.6)
    new_account_days: int | None = Field(default=None, ge=0, le=90)
    new_account: float | None = Field(default=None, ge=0.0, le=0.6)
    day_old_account: float | None = Field(default=None, ge=0.0, le=0.6)
    burst_per_hour: int | None = Field(default=None, ge=2, le=100)
    burst_per_day: int | None = Field(default=None, ge=5, le=1000)
    burst: float | None = Field(default=None, ge=0.0, le=0.6)
    contradiction: float | None = Field(default=None, ge=0.0, le=0.25,
                                        description="Below every review_fake: never holds a review alone")
    contradiction_sentiment: float | None = Field(default=None, ge=0.3, le=0.95,
                                                  description="How sure the text's sentiment must be")
    review_fake: float | None = Field(default=None, ge=0.3, le=0.7, description="Fake score that holds")
    reject_fake: float | None = Field(default=None, ge=0.7, le=1.0, description="Fake score that rejects, "
                                                                                "with a near-copy")

    def apply(self, policy: Policy) -> Policy:
        """The policy with this tenant's values in place of the platform's."""
        changes = self.model_dump(exclude_none=True)
        return policy.model_copy(update=changes) if changes else policy
