"""The moderation verdict: publish, pending_review or reject, with every reason and two scores.

Inputs are what the text checks found (prohibited terms, the review it nearly copies) and the
behaviour signals the caller already knows, as plain values. How they count (Policy):
* abuse: each distinct prohibited term, 1.0 when high, 0.35 when low (a lone ambiguous character);
* fake: a near-copy of another review (its similarity x 0.6), a photo that nearly copies another
  account's, an unverified buyer, a new account, a burst of reviews from the same account, many
  accounts behind the review's device or IP, several five-star reviews of the sku from accounts
  sharing one of its keys, a rating that says the opposite of the text.
Reject needs abuse at `reject_abuse` (several distinct high terms), or a near-copy together with
behaviour that makes the fake score reach `reject_fake`. Behaviour alone, a copied photo, or one
term, only sends a review to a person.

A review is never held or rejected for being negative. The rating and the text's sentiment enter
only through their contradiction, which counts the same either way (five stars on a furious text,
one star on a glowing one): a consistent one-star review scores exactly like a consistent five-star
one (docs/decisions.md, 2026-12-02). The one rating-specific signal, a five-star burst from one
cluster, counts only five-star reviews: it can only weigh against praise, never against criticism.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel

from .duplicates import DuplicateOf
from .matcher import Finding


class Status(StrEnum):
    PUBLISH = "publish"
    PENDING_REVIEW = "pending_review"
    REJECT = "reject"


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Signals(_Frozen):
    """What the caller knows of the reviewer and the review, as plain values."""

    verified_buyer: bool = True
    account_age_days: int | None = Field(default=None, ge=0)
    reviews_last_hour: int = Field(default=0, ge=0, description="By the same account, this one included")
    reviews_last_day: int = Field(default=0, ge=0)
    rating: int | None = Field(default=None, ge=1, le=5)
    sentiment: float | None = Field(default=None, ge=-1.0, le=1.0, description="Of the text: -1 to 1")
    photo_copied_from_other_accounts: int = Field(
        default=0, ge=0, description="Photos of the review that nearly copy (perceptual hash) another account's")
    device_accounts: int = Field(default=0, ge=0, description="Distinct accounts behind the review's device, "
                                                              "30 days, this one included")
    ip_accounts: int = Field(default=0, ge=0, description="Distinct accounts behind the review's IP, 30 days")
    device_five_star_accounts: int = Field(
        default=0, ge=0, description="Accounts behind the review's device that gave the sku five stars in 2 days, "
                                     "this one included (five-star reviews only)")
    ip_five_star_accounts: int = Field(default=0, ge=0, description="The same behind the review's IP")


class Policy(_Frozen):
    high_term: float = 1.0
    low_term: float = 0.35
    review_abuse: float = 0.7
    reject_abuse: float = 3.0
    duplicate_weight: float = 0.6
    unverified_buyer: float = 0.25
    new_account_days: int = 7
    new_account: float = 0.15
    day_old_account: float = 0.25
    burst_per_hour: int = 5
    burst_per_day: int = 20
    burst: float = 0.3
    contradiction: float = 0.15
    photo_copy: float = 0.5  # alone: held for a person
    cluster_device_accounts: int = 3  # a device is one person's; three accounts on it are a cluster
    cluster_ip_accounts: int = 8  # IPs are shared (offices, carrier NAT): a higher bar
    shared_cluster: float = 0.3
    cluster_five_star_device: int = 3
    cluster_five_star_ip: int = 5
    five_star_burst: float = 0.35  # with a shared cluster (or a new account): held
    contradiction_sentiment: float = 0.5
    review_fake: float = 0.5
    reject_fake: float = 0.9


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reasons: tuple[Reason, ...]
    scores: dict[str, float]

    def to_json(self) -> dict[str, object]:
        return {"status": self.status.value, "reasons": [{"code": r.code, "detail": r.detail} for r in self.reasons],
                "scores": dict(self.scores)}


DEFAULT_POLICY = Policy()


def contradicts(rating: int | None, sentiment: float | None, threshold: float) -> bool:
    """The stars say the opposite of the text, in either direction."""
    if rating is None or sentiment is None:
        return False
    return (rating >= 4 and sentiment <= -threshold) or (rating <= 2 and sentiment >= threshold)


def decide(findings: Sequence[Finding], duplicate: DuplicateOf | None, signals: Signals,
           policy: Policy = DEFAULT_POLICY) -> Verdict:
    reasons: list[Reason] = []
    abuse = 0.0
    seen: set[str] = set()
    for finding in findings:
        if finding.term in seen:
            continue
        seen.add(finding.term)
        abuse += policy.high_term if finding.severity == "high" else policy.low_term
        reasons.append(Reason("prohibited_term", (
            f'"{finding.matched}" at {finding.start}-{finding.end} ({finding.category}, {finding.severity}, '
            f'{finding.source} term "{finding.term}")')))

    fake = 0.0
    if duplicate is not None:
        fake += policy.duplicate_weight * duplicate.similarity
        reasons.append(Reason("duplicate_text", (
            f"{duplicate.similarity:.0%} similar to review {duplicate.review_id}")))
    behaviour = 0.0
    if not signals.verified_buyer:
        behaviour += policy.unverified_buyer
        reasons.append(Reason("unverified_buyer", "no matching purchase"))
    age = signals.account_age_days
    if age is not None and age < policy.new_account_days:
        behaviour += policy.day_old_account if age < 1 else policy.new_account
        reasons.append(Reason("new_account", f"account {age} days old"))
    if signals.reviews_last_hour >= policy.burst_per_hour or signals.reviews_last_day >= policy.burst_per_day:
        behaviour += policy.burst
        reasons.append(Reason("review_burst", (
            f"{signals.reviews_last_hour} reviews in the last hour, {signals.reviews_last_day} in the last day")))
    if signals.photo_copied_from_other_accounts:
        behaviour += policy.photo_copy
        reasons.append(Reason("photo_near_duplicate", (
            f"{signals.photo_copied_from_other_accounts} photo(s) nearly copy another account's photo")))
    if (signals.device_accounts >= policy.cluster_device_accounts
            or signals.ip_accounts >= policy.cluster_ip_accounts):
        behaviour += policy.shared_cluster
        reasons.append(Reason("shared_device_cluster", (
            f"{signals.device_accounts} accounts on this device, {signals.ip_accounts} on this IP in 30 days")))
    if signals.rating == 5 and (signals.device_five_star_accounts >= policy.cluster_five_star_device
                                or signals.ip_five_star_accounts >= policy.cluster_five_star_ip):
        behaviour += policy.five_star_burst
        reasons.append(Reason("cluster_five_star_burst", (
            f"{signals.device_five_star_accounts} accounts on this device, {signals.ip_five_star_accounts} on this "
            f"IP gave this product five stars in 2 days")))
    if contradicts(signals.rating, signals.sentiment, policy.contradiction_sentiment):
        behaviour += policy.contradiction
        reasons.append(Reason("rating_contradicts_text", (
            f"rating {signals.rating} with text sentiment {signals.sentiment:+.2f}")))
    fake = min(1.0, fake + behaviour)

    if abuse >= policy.reject_abuse or (duplicate is not None and fake >= policy.reject_fake):
        status = Status.REJECT
    elif abuse >= policy.review_abuse or duplicate is not None or fake >= policy.review_fake:
        status = Status.PENDING_REVIEW
    else:
        status = Status.PUBLISH
    return Verdict(status, tuple(reasons), {"abuse": round(abuse, 4), "fake": round(fake, 4)})
