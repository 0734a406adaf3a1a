"""The evidence pack's summary as a document in the ticket's language (en or zh-Hans, through the
i18n catalogs): the dispute, the ticket, the customer's claim, the decision disputed, the amounts
(formatted per currency), the timeline, the refunds, the parcels, the policy and the list of
evidence in the pack. Pure: the renderer lays it out as summary.pdf."""

from __future__ import annotations

from datetime import datetime

from aftersales.core.clock import iso
from aftersales.core.i18n import SUPPORTED, translate
from aftersales.core.money import Money
from aftersales.disputes.model import Dispute
from aftersales.disputes.pack_model import Gathered, Row, Section, SummaryDocument
from aftersales.tickets.audit import AuditEntry, verify_chain

MAX_TIMELINE = 200  # rows; the full chains are in audit.json
MAX_CLAIM = 4000


def language_of(locale: str) -> str:
    """The ticket's locale as one of the catalogs' languages (zh, zh-CN, zh-Hans -> zh-Hans)."""
    if locale in SUPPORTED:
        return locale
    return "zh-Hans" if locale.lower().startswith("zh") else "en"


def summary(pack: Gathered, language: str | None = None) -> SummaryDocument:
    lang = language or language_of(pack.ticket.locale)

    def t(key: str, **params: object) -> str:
        return translate(key, lang, **params)

    dispute, ticket = pack.dispute, pack.ticket
    sections = (
        Section(t("pack.section.dispute"), rows=(
            Row(t("pack.dispute_id"), dispute.id),
            Row(t("pack.dispute_status"), _label(t, "pack.dispute_status", dispute.status.value)),
            Row(t("pack.raised_at"), _when(dispute.raised_at)),
            Row(t("pack.ticket"), ticket.id),
            Row(t("pack.order"), ticket.order_id),
            Row(t("pack.ticket_type"), _label(t, "type", ticket.type.value)),
            Row(t("pack.ticket_status"), _label(t, "status", ticket.status.value)),
            *_platform_rows(t, dispute),
        )),
        Section(t("pack.section.claim"), paragraphs=_claim(t, dispute)),
        Section(t("pack.section.decision"), rows=_decision_rows(t, dispute, pack.ticket_entries)),
        Section(t("pack.section.amounts"), rows=_amount_rows(t, pack)),
        Section(t("pack.section.timeline"), rows=_timeline(t, pack.ticket_entries, dispute)),
        Section(t("pack.section.refunds"), rows=tuple(
            Row(f"{v.grant_id} · {_when(v.granted_at)}",
                f"{v.amount.display()} · {_label(t, 'pack.refund_status', v.status)}"
                + (f" · {v.provider_refund_id}" if v.provider_refund_id else ""))
            for v in pack.refunds) or (Row(t("pack.section.refunds"), t("pack.none")),)),
        Section(t("pack.section.logistics"), rows=tuple(
            Row(f"{p.carrier or '-'} {p.tracking_number}",
                t("pack.parcel_line", status=p.status, checkpoints=len(p.checkpoints),
                  at=_when(p.status_at) if p.status_at else "-"))
            for p in pack.parcels) or (Row(t("pack.section.logistics"), t("pack.none")),)),
        Section(t("pack.section.policy"), rows=(
            (Row(t("pack.policy"), t("pack.policy_version", name=pack.policy.name, version=pack.policy.version)),)
            if pack.policy else (Row(t("pack.policy"), t("pack.none")),))),
        Section(t("pack.section.evidence"), paragraphs=_evidence_list(t, pack)),
    )
    return SummaryDocument(title=t("pack.title", dispute_id=dispute.id), language=lang, sections=sections,
                           footer=t("pack.footer", at=iso(pack.generated_at)), created_at=pack.generated_at)


def _label(t, kind: str, value: str) -> str:
    text = t(f"{kind}.{value}")
    return value if text == f"{kind}.{value}" else text


def _when(at: str | datetime) -> str:
    """UTC to the minute: 2026-12-02 08:00 UTC (audit entries carry ISO text, models datetimes)."""
    text = iso(at) if isinstance(at, datetime) else at
    return text[:16].replace("T", " ") + " UTC"


def _platform_rows(t, dispute: Dispute) -> tuple[Row, ...]:
    case = dispute.platform
    if case is None:
        return ()
    rows = [Row(t("pack.platform_case"), f"{case.provider} {case.case_id} ({case.status})")]
    if case.reason:
        rows.append(Row(t("pack.platform_reason"), case.reason))
    if case.evidence_due_by:
        rows.append(Row(t("pack.evidence_due_by"), _when(case.evidence_due_by)))
    return tuple(rows)


def _claim(t, dispute: Dispute) -> tuple[str, ...]:
    texts = [dispute.text or ""] + [f"{_when(e.at)} · {e.by}: {e.text}"
                                    for e in dispute.evidence[1:] if e.text]
    paragraphs = tuple(text[:MAX_CLAIM] for text in texts if text)
    return paragraphs or (t("pack.none"),)


def _decision_rows(t, dispute: Dispute, entries: list[AuditEntry]) -> tuple[Row, ...]:
    rows = [Row(t("pack.subject"), _label(t, "pack.subject", dispute.subject.value))]
    contested = next((e for e in reversed(entries) if e.event in _DECISIONS), None)
    if contested is not None:
        rows += [Row(t("pack.decision_event"), _label(t, "event", contested.event)),
                 Row(t("pack.decided_by"), f"{contested.actor_id} ({contested.actor_role})"),
                 Row(t("pack.decided_at"), _when(contested.at))]
        if contested.reason:
            rows.append(Row(t("pack.decision_reason"), contested.reason))
    if dispute.decision is not None:
        d = dispute.decision
        rows.append(Row(t("pack.arbitration"), f"{_label(t, 'pack.outcome', d.outcome.value)} · {d.by} · "
                                               f"{_when(d.at)} · {d.reason}"))
    return tuple(rows)


_DECISIONS = ("ticket.rejected", "ticket.inspection_failed", "ticket.approved", "ticket.inspection_passed",
              "ticket.repaired", "ticket.unrepairable", "ticket.refunded")


def _amount_rows(t, pack: Gathered) -> tuple[Row, ...]:
    rows = [Row(t("pack.requested"), pack.ticket.requested_amount.display())]
    refunded: dict[str, Money] = {}
    for voucher in pack.refunds:
        if voucher.status == "succeeded":
            currency = voucher.amount.currency
            refunded[currency] = refunded.get(currency, Money.zero(currency)) + voucher.amount
    rows += [Row(t("pack.refunded"), total.display()) for _, total in sorted(refunded.items())] or [
        Row(t("pack.refunded"), Money.zero(pack.ticket.requested_amount.currency).display())]
    if pack.dispute.platform is not None:
        rows.append(Row(t("pack.platform_amount"), pack.dispute.platform.amount.display()))
    return tuple(rows)


def _timeline(t, entries: list[AuditEntry], dispute: Dispute) -> tuple[Row, ...]:
    merged = sorted([(e.at, _label(t, "event", e.event), e.actor_role) for e in entries]
                    + [(e.at, _label(t, "event", e.event), e.actor_role) for e in dispute.entries],
                    key=lambda row: row[0])  # stable: each chain keeps its own order within a time
    return tuple(Row(_when(at), f"{title} ({role})") for at, title, role in merged[:MAX_TIMELINE])


def _evidence_list(t, pack: Gathered) -> tuple[str, ...]:
    customer = sum(1 for p in pack.photos if p.kind == "customer")
    inspection = sum(1 for p in pack.photos if p.kind == "inspection")
    lines = [t("pack.file.conversation", count=len(pack.messages)),
             t("pack.file.logistics", parcels=len(pack.parcels),
               checkpoints=sum(len(p.checkpoints) for p in pack.parcels)),
             t("pack.file.refunds", count=len(pack.refunds)),
             t("pack.file.audit", ticket=len(pack.ticket_entries), dispute=len(pack.dispute.entries),
               verdict=t("pack.chain_valid" if verify_chain(pack.ticket_entries).valid
                         and verify_chain(pack.dispute.entries).valid else "pack.chain_broken")),
             t("pack.file.photos", customer=customer, inspection=inspection)]
    if pack.missing_media:
        lines.append(t("pack.missing_media", ids=", ".join(pack.missing_media)))
    return tuple(lines)


def conversation_document(pack: Gathered, language: str = "en") -> SummaryDocument:
    """The conversation as its own document (the platform's customer_communication file)."""
    title = translate("pack.conversation_title", language, dispute_id=pack.dispute.id, ticket_id=pack.ticket.id)
    messages = tuple(Section(f"{_when(m.at)} · {m.direction} · {m.channel} · {m.author}",
                             paragraphs=(m.subject, m.body) if m.subject else (m.body,)) for m in pack.messages)
    return SummaryDocument(title=title, language=language, sections=messages,
                           footer=translate("pack.footer", language, at=iso(pack.generated_at)),
                           created_at=pack.generated_at)


def policy_document(pack: Gathered, language: str = "en") -> SummaryDocument:
    policy = pack.policy
    name = policy.name if policy else translate("pack.none", language)
    body = (Section(translate("pack.policy_version", language, name=name, version=policy.version),
                    paragraphs=tuple(p for p in policy.text.split("\n\n") if p.strip())),) if policy else ()
    return SummaryDocument(title=name, language=language, sections=body,
                           footer=translate("pack.footer", language, at=iso(pack.generated_at)),
                           created_at=pack.generated_at)


def platform_statement(pack: Gathered, language: str = "en") -> str:
    """A plain statement for the platform's text field: the dispute, decision and amount sections."""
    document = summary(pack, language)
    wanted = {translate(k, language) for k in ("pack.section.dispute", "pack.section.decision",
                                              "pack.section.amounts", "pack.section.logistics",
                                              "pack.section.evidence")}
    lines = [document.title]
    for section in document.sections:
        if section.title in wanted:
            lines.append("")
            lines.append(section.title)
            lines += [f"{row.label}: {row.value}" for row in section.rows]
            lines += list(section.paragraphs)
    return "\n".join(lines)
