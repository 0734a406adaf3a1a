"""The evidence pack's AppliedPolicies: the policy the customer's request was held to, as the
platform recorded it on the ticket — never the rules in force today.

* Intake (eligibility): the ticket's triage entry on its audit chain (`data.eligibility`) names the
  rules version and the rule that matched, and carries every check with its verdict. That version
  is read back from the rules' version store (eligibility DraftStore); version 1 with nothing
  stored is the built-in default (the tenant had published no rules of its own), and says so.
* Approval: the approval outcome entry (`data.policy_version`, `data.rule_id`, `data.route`) names
  the approval policy version and the rule that routed it (or the default route), read back the
  same way.
* Neither store records when a version was published, so the text says it is not recorded rather
  than guessing a time. A ticket with no triage or approval entry gets a sentence saying so.

Rendered in the ticket's language through the catalogs (pack.policy.*); rule descriptions are the
merchant's own words and are quoted as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aftersales.approvals.defaults import POLICY
from aftersales.approvals.policy import ApprovalPolicy
from aftersales.core.drafts import DraftKind, DraftStore, Versioned
from aftersales.core.i18n import translate
from aftersales.disputes.pack_model import PolicyText
from aftersales.disputes.pack_summary import language_of
from aftersales.eligibility.defaults import RULES
from aftersales.eligibility.rules import IntakeRule, IntakeRules
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Ticket

ELIGIBILITY_KEY = "eligibility"  # eligibility.service.DATA_KEY: the triage evaluation on its entry
APPROVAL_EVENTS = frozenset({"ticket.approved", "ticket.rejected"})


class TicketAudit(Protocol):
    """The tickets context's records (TicketRecords), as the policy reads them."""

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]: ...


class RecordedPolicies:
    """AppliedPolicies over the ticket's audit chain and the two version stores."""

    def __init__(self, audit: TicketAudit, rules: DraftStore[IntakeRules],
                 approval_policies: DraftStore[ApprovalPolicy]) -> None:
        self._audit = audit
        self._rules = rules
        self._approval_policies = approval_policies

    def applied(self, tenant_id: str, ticket: Ticket) -> PolicyText | None:
        entries = self._audit.audit_entries(tenant_id, ticket.id)
        evaluation = _newest(entries, lambda e: (e.data or {}).get(ELIGIBILITY_KEY))
        approval = _newest(entries, lambda e: e.data if e.event in APPROVAL_EVENTS and (e.data or {}).get(
            "policy_version") is not None else None)
        rules = _stored(self._rules, RULES, tenant_id, evaluation.get("rules_version")) if evaluation else None
        policy = _stored(self._approval_policies, POLICY, tenant_id, approval.get("policy_version")) \
            if approval else None
        return render(ticket, evaluation, rules, approval, policy)


def _newest(entries: list[AuditEntry], pick: Callable[[AuditEntry], dict[str, Any] | None]
            ) -> dict[str, Any] | None:
    for entry in reversed(entries):
        found = pick(entry)
        if found:
            return {**found, "at": entry.at}
    return None


def _stored(store: DraftStore[Any], kind: DraftKind[Any], tenant_id: str, version: object
            ) -> tuple[Versioned, bool] | None:
    """The version and whether it is the built-in default; None when that version is not stored."""
    if not isinstance(version, int):
        return None
    found = store.version(tenant_id, version)
    if found is not None:
        return found, False
    default = kind.default(tenant_id)
    return (default, True) if default.version == version else None


def render(ticket: Ticket, evaluation: dict[str, Any] | None, rules: tuple[Versioned, bool] | None,
           approval: dict[str, Any] | None, policy: tuple[Versioned, bool] | None) -> PolicyText:
    """Pure: the recorded evaluation / approval and the versions they name, as the pack's policy text."""
    lang = language_of(ticket.locale)

    def t(key: str, **params: object) -> str:
        return translate(f"pack.policy.{key}", lang, **params)

    paragraphs = [_intake(t, lang, evaluation, rules), _approval(t, approval, policy)]
    versions = [f"rules-v{evaluation['rules_version']}" if evaluation else "rules-none",
                f"approval-v{approval['policy_version']}" if approval else "approval-none"]
    return PolicyText(name=t("name"), version="-".join(versions), text="\n\n".join(paragraphs), language=lang)


def _intake(t: Callable[..., str], lang: str, evaluation: dict[str, Any] | None,
            found: tuple[Versioned, bool] | None) -> str:
    if evaluation is None:
        return t("intake_not_checked")
    version = evaluation["rules_version"]
    lines = [t("intake_heading", version=version), t("not_published_time")]
    if found is None:
        lines.append(t("version_not_stored", version=version))
    else:
        rules, is_default = found
        assert isinstance(rules, IntakeRules)
        if is_default:
            lines.append(t("defaults"))
        rule = next((r for r in rules.rules if r.id == evaluation.get("rule_id")), None)
        lines += _intake_rule(t, rule, evaluation.get("rule_id"))
        if rules.non_returnable_product_types or rules.non_returnable_categories:
            lines.append(t("non_returnable", product_types=", ".join(sorted(rules.non_returnable_product_types))
                           or "-", categories=", ".join(sorted(rules.non_returnable_categories)) or "-"))
    lines.append(t("checked_at", at=evaluation["at"], outcome=evaluation.get("outcome", "-")))
    for check in evaluation.get("checks") or ():
        reason = translate(str(check.get("reason", "")), lang, **(check.get("details") or {}))
        lines.append(f"- {check.get('check')}: {check.get('verdict')} · {reason}")
    return "\n".join(lines)


def _intake_rule(t: Callable[..., str], rule: IntakeRule | None, rule_id: object) -> list[str]:
    if rule is None:
        return [t("rule_not_in_version", rule_id=rule_id)]
    window = t("window_days", days=rule.return_window_days) if rule.return_window_days is not None \
        else t("no_window")
    return [t("rule", rule_id=rule.id, description=rule.description or "-"),
            t("rule_window", window=window),
            t("rule_conditions", when_eligible=rule.when_eligible, when_ineligible=rule.when_ineligible,
              duplicate=rule.duplicate_request, previous_refund=rule.previous_refund,
              evidence=", ".join(sorted(rule.evidence_reasons)) or "-")]


def _approval(t: Callable[..., str], approval: dict[str, Any] | None,
              found: tuple[Versioned, bool] | None) -> str:
    if approval is None:
        return t("approval_not_recorded")
    version = approval["policy_version"]
    lines = [t("approval_heading", version=version), t("not_published_time")]
    if found is None:
        lines.append(t("version_not_stored", version=version))
    else:
        policy, is_default = found
        assert isinstance(policy, ApprovalPolicy)
        if is_default:
            lines.append(t("defaults"))
        rule = next((r for r in policy.rules if r.id == approval.get("rule_id")), None)
        if rule is not None:
            conditions = rule.when.model_dump(mode="json", exclude_none=True)
            lines.append(t("approval_rule", rule_id=rule.id, description=rule.description or "-", route=rule.route))
            lines.append(t("approval_conditions", conditions=_conditions(conditions) or "-"))
        else:
            lines.append(t("approval_default_route", route=policy.default_route))
    lines.append(t("approval_outcome", at=approval["at"], route=approval.get("route") or "-"))
    return "\n".join(lines)


def _conditions(conditions: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, dict):
            if set(v) == {"amount", "currency"}:
                return f"{v['amount']} {v['currency']} (minor units)"
            return ", ".join(f"{k} {value(x)}" for k, x in v.items())
        if isinstance(v, list):
            return "/".join(str(x) for x in sorted(v, key=str))
        return str(v)

    return "; ".join(f"{name}: {value(v)}" for name, v in conditions.items())
