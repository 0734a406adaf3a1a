"""The tenant's moderation settings over HTTP under moto (the API function on the template's
ModerationTable): supervisors and admins only; a draft with terms, allow-list and verdict tuning,
refused with the field's path when a term or a threshold is bad; a trial of the draft on a text;
publish, versions, one version, roll back. The moderation consumer's container (its own
environment, its own container) decides with the version published through the API."""

from __future__ import annotations

import pytest

from aftersales.moderation.verdict import Signals, Status
from aftersales.wiring import Container

BASE = "/moderation/lexicons"
DRAFT = {"terms": [{"text": "cheapbags", "category": "spam", "severity": "low"},
                   {"text": "竞品链接", "category": "spam"}],
         "allow": ["cheapbags review"], "languages": ["zh", "en"],
         "verdict": {"unverified_buyer": 0.3, "review_fake": 0.3}}


@pytest.fixture
def staff(api, demo):
    return demo["acme"]


def _consumer(aws) -> Container:
    """A container built as the review-moderation function's is, from that function's environment."""
    env = {key: str(value) for key, value in aws.functions["ReviewModerationFunction"].environment.items()}
    return Container(env=env)


def test_only_supervisors_and_admins_see_or_change_the_settings(api, staff):
    for who in ("agent", "finance", "cust-1", "key"):
        assert api.request("GET", BASE, headers=staff[who]).status == 403
        assert api.request("PUT", f"{BASE}/draft", DRAFT, headers=staff[who]).status == 403
    assert api.request("GET", BASE, headers=staff["supervisor"]).status == 200


def test_a_bad_term_or_threshold_is_refused_with_its_field_path(api, staff):
    admin = staff["admin"]
    cases = [
        ({"terms": [{"text": "ok"}, {"text": "!!!"}]}, "terms.1.text"),
        ({"terms": [{"text": "x" * 41}]}, "terms.0.text"),
        ({"terms": [{"text": "ok", "severity": "medium"}]}, "terms.0.severity"),
        ({"allow": ["fine", "13."]}, "allow.1"),
        ({"languages": ["fr"]}, "languages.0"),
        ({"verdict": {"reject_abuse": 1.0}}, "verdict.reject_abuse"),
        ({"verdict": {"contradiction": 0.6}}, "verdict.contradiction"),
        ({"verdict": {"negative_rating": 1}}, "verdict.negative_rating"),
    ]
    for body, path in cases:
        refused = api.request("PUT", f"{BASE}/draft", body, headers=admin)
        assert refused.status == 422, (body, refused.body)
        assert refused.body["error"]["fields"][0]["path"] == path, (body, refused.body)
    assert api.request("GET", f"{BASE}/draft", headers=admin).body["revision"] == 0  # nothing stored


def test_draft_trial_publish_versions_and_roll_back(api, staff, aws):
    admin = staff["admin"]
    current = api.request("GET", BASE, headers=staff["supervisor"])
    assert current.body["lexicon"]["version"] == 0 and current.body["policy"]["review_fake"] == 0.5
    draft = api.request("GET", f"{BASE}/draft", headers=admin)
    assert draft.status == 200 and draft.body["revision"] == 0 and draft.body["lexicon"]["version"] == 1

    put = api.request("PUT", f"{BASE}/draft", DRAFT, headers=admin)
    assert put.status == 200 and put.body["revision"] == 1, put.body
    assert put.body["lexicon"]["verdict"]["review_fake"] == 0.3
    stale = api.request("PUT", f"{BASE}/draft", DRAFT, headers={**admin, "If-Match": '"7"'})
    assert stale.status == 409

    tried = api.request("POST", f"{BASE}/draft/trial",
                        {"text": "去竞品链接买更便宜", "signals": {"verified_buyer": False}}, headers=admin)
    assert tried.status == 200, tried.body
    assert tried.body["status"] == "pending_review" and tried.body["lexicon_version"] == 1
    assert [f["term"] for f in tried.body["findings"]] == ["竞品链接"]
    assert {r["code"] for r in tried.body["reasons"]} == {"prohibited_term", "unverified_buyer"}
    published_now = api.request("POST", f"{BASE}/draft/trial", {"text": "去竞品链接买更便宜", "published": True},
                                headers=admin)
    assert published_now.body["findings"] == [] and published_now.body["lexicon_version"] == 0
    assert api.request("POST", f"{BASE}/draft/trial", {"text": ""}, headers=admin).status == 422

    published = api.request("POST", f"{BASE}/publish", headers={**admin, "Idempotency-Key": "lex-1"})
    assert published.status == 200 and published.body["lexicon"]["version"] == 1
    again = api.request("POST", f"{BASE}/publish", headers={**admin, "Idempotency-Key": "lex-1"})
    assert again.status == 200 and again.body == published.body  # the same answer, no second version
    current = api.request("GET", BASE, headers=admin).body
    assert current["lexicon"]["version"] == 1 and current["policy"]["unverified_buyer"] == 0.3

    # the consumer's container reads what the API published
    consumer = _consumer(aws)
    held = consumer.moderation.moderate("acme", "r1", "快去竞品链接看看", Signals())
    assert held.lexicon_version == 1 and [f.term for f in held.findings] == ["竞品链接"]
    assert held.verdict.status is Status.PENDING_REVIEW
    assert consumer.moderation.moderate("acme", "r2", "收到了，杯子还行", Signals(verified_buyer=False)
                                        ).verdict.status is Status.PENDING_REVIEW  # the tenant's tuning
    assert consumer.moderation.moderate("other", "r3", "快去竞品链接看看", Signals()).findings == ()

    rolled = api.request("POST", f"{BASE}/rollback", {"version": 0}, headers=admin)
    assert rolled.status == 200 and rolled.body["lexicon"]["version"] == 2
    assert rolled.body["lexicon"]["terms"] == [] and rolled.body["lexicon"]["verdict"]["review_fake"] is None
    versions = api.request("GET", f"{BASE}/versions", headers=admin)
    assert versions.body == {"published": 2, "versions": [2, 1]}
    one = api.request("GET", f"{BASE}/versions/1", headers=admin)
    assert one.status == 200 and [t["text"] for t in one.body["lexicon"]["terms"]] == ["cheapbags", "竞品链接"]
    assert api.request("GET", f"{BASE}/versions/9", headers=admin).status == 404
    assert api.request("POST", f"{BASE}/rollback", {"version": 9}, headers=admin).status == 404
    assert api.request("POST", f"{BASE}/rollback", {"version": -1}, headers=admin).status == 422
    fresh = _consumer(aws).moderation.moderate("acme", "r4", "快去竞品链接看看", Signals())
    assert fresh.lexicon_version == 2 and fresh.findings == ()


def test_intake_rules_and_approval_policy_list_versions_and_roll_back_the_same_way(api, staff):
    admin = staff["admin"]
    for base, key, document in (
            ("/eligibility-rules", "rules", {"rules": [{"id": "all", "return_window_days": 60}]}),
            ("/approval-policy", "policy", {"default_route": "single_review", "rules": []})):
        assert api.request("GET", f"{base}/versions", headers=admin).body == {"published": 1, "versions": []}
        assert api.request("PUT", f"{base}/draft", document, headers=admin).status == 200
        assert api.request("POST", f"{base}/publish", headers=admin).body[key]["version"] == 2
        rolled = api.request("POST", f"{base}/rollback", {"version": 1}, headers=admin)
        assert rolled.status == 200 and rolled.body[key]["version"] == 3, rolled.body
        assert api.request("GET", f"{base}/versions", headers=admin).body == {"published": 3, "versions": [3, 2]}
        assert api.request("GET", f"{base}/versions/2", headers=admin).body[key]["version"] == 2
        assert api.request("GET", f"{base}/versions", headers=staff["agent"]).status == 403
