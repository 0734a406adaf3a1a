"""Pure projection rules: one ticket event + the ticket's facts -> new facts and bucket changes.

Periods are local days and months in the tenant's time zone. Counted once per ticket: opened (at
creation, by type, reason, channel and each sku), resolved (the first time it reaches a resolution
status; its processing time from creation goes into the period's sketch), first_contact (resolved
without ever waiting for the customer's information and without a reopen), reopened (each reopen),
refunds (count and amount per currency; an amount is split over the ticket's skus in proportion to
what each line asked, largest remainder first, so the per-sku amounts sum to the refund),
repair_costs (each settled repair job, `ticket.repair_settled`: count and the merchant's share of its
parts and labour per currency, split over the skus the same way)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.analytics.model import (
    METRICS,
    REPAIR_SETTLED,
    RESOLUTION_STATUSES,
    RETURN_TYPES,
    UNASSIGNED,
    BucketDelta,
    Period,
    Projection,
    TicketFacts,
)


def parse_at(value: str) -> datetime:
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError(f"naive time {value!r}")
    return at


def periods(at: datetime, zone: ZoneInfo) -> tuple[Period, Period]:
    local = at.astimezone(zone).date()
    return Period.day(local), Period.month(local)


def split_amount(minor: int, weights: Mapping[str, int]) -> dict[str, int]:
    """`minor` over the keys in proportion to `weights` (largest remainder; the parts sum to `minor`)."""
    keys = sorted(weights)
    if not keys:
        return {}
    total = sum(max(0, weights[k]) for k in keys)
    if total <= 0:
        shares = {k: minor // len(keys) for k in keys}
        rest = minor - sum(shares.values())
        for k in keys[:rest]:
            shares[k] += 1
        return shares
    exact = {k: minor * max(0, weights[k]) for k in keys}
    shares = {k: exact[k] // total for k in keys}
    rest = minor - sum(shares.values())
    for k in sorted(keys, key=lambda k: (-(exact[k] % total), k))[:rest]:
        shares[k] += 1
    return shares


def _count(deltas: dict[tuple[Period, str], BucketDelta], facts: TicketFacts, metric: str,
           at_periods: Iterable[Period]) -> list[BucketDelta]:
    out = []
    for period in at_periods:
        delta = deltas.setdefault((period, metric), BucketDelta(period, metric))
        delta.add("all=all")
        for dim in METRICS[metric]:
            for value in facts.dimension(dim):
                delta.add(f"{dim}={value}")
        out.append(delta)
    return out


def apply(facts: TicketFacts, detail: Mapping[str, Any], zone: ZoneInfo, *,
          team_of: Mapping[str, str] | None = None) -> Projection:
    """The event's effect; an already applied seq changes nothing (the dedup on ticket#seq)."""
    seq = int(detail["seq"])
    if seq in facts.seqs:
        return Projection(facts=facts)
    event = str(detail["event"])
    at = parse_at(str(detail["at"]))
    data: Mapping[str, Any] = detail.get("data") or {}
    update: dict[str, Any] = {"seqs": sorted({*facts.seqs, seq})}
    at_periods = periods(at, zone)
    deltas: dict[tuple[Period, str], BucketDelta] = {}
    durations: dict[Period, list[float]] = {}

    if event == "ticket.created":
        update.setdefault("created_at", facts.created_at or str(detail["at"]))
        if detail.get("ticket_type"):
            update["type"] = str(detail["ticket_type"])
        if detail.get("reason"):
            update["reason"] = str(detail["reason"])
        lines = data.get("lines") or []
        if lines and not facts.sku_amounts:
            update["sku_amounts"] = _sku_amounts(lines)
        opened = facts.model_copy(update=update)
        _count(deltas, opened, "opened", at_periods)
        if opened.type in RETURN_TYPES:
            _count(deltas, opened, "returns", at_periods)
    elif event == "ticket.assigned":
        agent = str(data.get("to_assignee") or UNASSIGNED)
        update["agent"] = agent
        update["team"] = (team_of or {}).get(agent, UNASSIGNED)
    elif event == "ticket.info_requested":
        update["info_requested"] = True
    elif event == "ticket.reopened":
        update["reopened"] = True
        _count(deltas, facts.model_copy(update=update), "reopened", at_periods)

    to_status = detail.get("to_status")
    if facts.resolved_at is None and to_status in RESOLUTION_STATUSES:
        update["resolved_at"] = str(detail["at"])
        after = facts.model_copy(update=update)
        _count(deltas, after, "resolved", at_periods)
        if not after.info_requested and not after.reopened:
            _count(deltas, after, "first_contact", at_periods)
        if after.created_at:
            seconds = (at - parse_at(after.created_at)).total_seconds()
            for period in at_periods:
                durations.setdefault(period, []).append(seconds)

    if event == "ticket.refunded":
        _count_amount(deltas, facts.model_copy(update=update), "refunds", data.get("amount"), at_periods)
    elif event == REPAIR_SETTLED:
        settlement = data.get("settlement")
        cost = settlement.get("merchant_cost") if isinstance(settlement, Mapping) else None
        _count_amount(deltas, facts.model_copy(update=update), "repair_costs", cost, at_periods)

    return Projection(facts=facts.model_copy(update=update), deltas=list(deltas.values()), durations=durations)


def _count_amount(deltas: dict[tuple[Period, str], BucketDelta], facts: TicketFacts, metric: str, amount: Any,
                  at_periods: Iterable[Period]) -> None:
    """Count `metric` and add `amount` ({amount: minor, currency}) by every dimension, split over skus."""
    if not isinstance(amount, Mapping) or not isinstance(amount.get("amount"), int):
        return
    currency, minor = str(amount.get("currency", "XXX")), int(amount["amount"])
    for delta in _count(deltas, facts, metric, at_periods):
        delta.add_amount("all=all", currency, minor)
        for dim in ("type", "reason", "channel", "agent", "team"):
            delta.add_amount(f"{dim}={facts.dimension(dim)[0]}", currency, minor)
        for sku, part in split_amount(minor, facts.sku_amounts).items():
            delta.add_amount(f"sku={sku}", currency, part)


def _sku_amounts(lines: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in lines:
        sku = str(line.get("sku") or "unknown")
        quantity = line.get("quantity", 1)  # `ticket.created` lines carry quantities, not prices
        out[sku] = out.get(sku, 0) + (quantity if isinstance(quantity, int) else 1)
    return out
