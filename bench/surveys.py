"""Survey figures: AWS requests per survey sent and per answer (moto, the real DynamoDB adapter and
SES), and the sweep's reads with 10,000 and 100,000 pending surveys (in-memory store implementing the
same port: a sweep's reads are its due-index bucket queries plus the due items, never the pending)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.aws_prices import AS_OF, cost, per_thousand
from bench.metering import AwsMeter, gsi_keys
from bench.report import Section
from bench.support import RequestCounter, local_aws
from tests.support.sent_mail import sent_mails

START = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # noon in Shanghai: outside quiet hours
SECRET = "bench-survey-link-secret-0123456789abcdef"
SENT = 20


def _row(name: str, meter: AwsMeter, per: int) -> list[object]:
    """Requests, DynamoDB units and list-price USD per operation from what `meter` counted."""
    usage = meter.usage(state_transitions=0)
    billed = cost(usage)
    return [name, per, round(meter.total("dynamodb") / per, 2), round(meter.total("ses") / per, 2),
            round(meter.total() / per, 2), round(usage.quantities["dynamodb_read_request_units"] / per, 2),
            round(usage.quantities["dynamodb_write_request_units"] / per, 2),
            f"{per_thousand(billed['total'], per):.4f}"]


@contextlib.contextmanager
def _surveys_on_moto(**rules: int) -> Iterator[tuple[Any, Any, Any]]:
    """moto with the survey sweeper's environment and its SES sender verified, and the services on a
    clock fixed at START with the bench tenant's survey `rules`: (template model, container, clock)."""
    import boto3

    from aftersales import wiring
    from aftersales.core.clock import FixedClock
    from aftersales.surveys.model import SurveyRules

    with local_aws("SurveySweeperFunction") as model:
        os.environ["SURVEY_LINK_SECRET"] = SECRET
        os.environ["SURVEY_LINK_BASE_URL"] = "https://api.example.com/v1"
        boto3.client("ses").verify_email_identity(
            EmailAddress=model.functions["SurveySweeperFunction"].environment["NOTIFICATIONS_SENDER"])
        clock = FixedClock(START)
        container = wiring.Container(clock=clock)
        wiring.override(container)
        try:
            container.surveys.save_settings(SurveyRules(tenant_id="bench", **rules))
            yield model, container, clock
        finally:
            wiring.override(None)


def _on_moto() -> list[list[object]]:
    from tests.support.ticket_factories import order

    rows = []
    with _surveys_on_moto(delivery_delay_minutes=0, reminder_after_hours=0) as (model, container, clock):
        indexes = gsi_keys(model)
        memory = {fid: fn.memory_mb for fid, fn in model.functions.items()}
        svc = container.surveys
        container.tenants.create_tenant("bench", "Bench")
        for n in range(SENT):
            customer = f"cust-{n}"
            container.tickets.upsert_order("bench", order(order_id=f"O-{n}", customer={"id": customer}))
            container.channel_stores.intake.put_contact("bench", customer, "email", f"c{n}@example.com", "en")
        trigger = AwsMeter(indexes, memory)
        with trigger.counting():
            for n in range(SENT):
                svc.on_order_delivered("bench", f"O-{n}", START)
        clock.advance(minutes=6)
        sweep = AwsMeter(indexes, memory)
        with sweep.counting():
            report = svc.sweep()
        assert report.sent == SENT, report
        links = [m.body.split("/surveys/")[1].split()[0] for m in sent_mails()]
        answers = AwsMeter(indexes, memory)
        with answers.counting():
            for token in links[:10]:
                svc.answer(token, nps=9, csat=None, comment=None)
        comments = AwsMeter(indexes, memory)
        with comments.counting():
            for token in links[10:]:
                svc.answer(token, nps=10, csat=None, comment="fast delivery, thank you")
        for name, counter, per in (("schedule (order delivered)", trigger, SENT), ("send (sweep)", sweep, SENT),
                                   ("answer, score only", answers, 10), ("answer with a comment", comments, 10)):
            rows.append(_row(name, counter, per))
    return rows


def _sweep_in_memory(pending: int, due: int = 100) -> list[object]:
    from aftersales.sla.due_index import index_bucket
    from aftersales.surveys.model import Survey
    from tests.support.surveys import survey_rig

    rig = survey_rig(START)
    for n in range(due):
        rig.contacts.put("acme", f"due-{n}", "email", {"address": f"d{n}@example.com", "locale": "en"})
    for n in range(pending):
        when = START + timedelta(days=1 + n % 30, minutes=n % 1440)
        rig.store.create(Survey(survey_id=f"svy_p{n}", tenant_id="acme", kind="delivery", customer_id=f"p-{n}",
                                order_id=f"O-p{n}", triggered_at=START, due_at=when, version=1),
                         index_bucket(when, START))
    for n in range(due):
        rig.store.create(Survey(survey_id=f"svy_d{n}", tenant_id="acme", kind="delivery", customer_id=f"due-{n}",
                                order_id=f"O-d{n}", triggered_at=START, due_at=START + timedelta(minutes=2),
                                version=1), index_bucket(START + timedelta(minutes=2), START))
    rig.store.set_last_swept(START)
    rig.clock.set(START + timedelta(minutes=3))
    before = rig.store.bucket_reads
    started = time.perf_counter()
    report = rig.service.sweep()
    elapsed = time.perf_counter() - started
    return [pending, due, len(report.buckets), rig.store.bucket_reads - before, report.items_read, report.sent,
            round(elapsed * 1000, 1)]


def _sweep_on_moto(pending: int, due: int = 100) -> list[object]:
    from aftersales.adapters.dynamo.surveys import DynamoSurveyStore, SurveyItem
    from aftersales.sla.due_index import index_bucket
    from aftersales.surveys.model import Survey

    with _surveys_on_moto(reminder_after_hours=0) as (_model, container, clock):
        svc = container.surveys
        store = DynamoSurveyStore()
        setup_started = time.perf_counter()
        batch = []
        for n in range(pending):
            when = START + timedelta(days=1 + n % 30, minutes=n % 1440)
            batch.append((Survey(survey_id=f"svy_p{n}", tenant_id="bench", kind="delivery", customer_id=f"p-{n}",
                                 order_id=f"O-p{n}", triggered_at=START, due_at=when), index_bucket(when, START)))
        store.save_many(batch)
        soon = START + timedelta(minutes=2)
        for n in range(due):
            container.channel_stores.intake.put_contact("bench", f"due-{n}", "email", f"d{n}@example.com", "en")
            store.create(Survey(survey_id=f"svy_d{n}", tenant_id="bench", kind="delivery", customer_id=f"due-{n}",
                                order_id=f"O-d{n}", triggered_at=START, due_at=soon, version=1),
                         index_bucket(soon, START))
        setup = time.perf_counter() - setup_started
        store.set_last_swept(START)
        clock.set(START + timedelta(minutes=3))
        counter = RequestCounter()
        with counter.counting():
            report = svc.sweep()
        table = SurveyItem.Meta.table_name
        queries = sum(n for (svc_name, op, target), n in counter.calls.items()
                      if svc_name == "dynamodb" and op == "Query" and target == table)
        return [pending, due, report.items_read, report.sent, queries, counter.total("dynamodb"),
                counter.total("ses"), round(setup, 1)]


def run() -> list[Section]:
    cost = Section("Survey AWS requests and cost per operation (moto: real adapter, SES; 20 delivery surveys)",
                   ["operation", "operations", "DynamoDB / op", "SES / op", "AWS requests / op",
                    "DynamoDB read units / op", "write units / op", "USD per 1,000 ops"])
    cost.rows += _on_moto()
    cost.notes.append(f"USD at us-east-1 list prices as of {AS_OF} (bench/aws_prices.py, free tiers ignored): "
                      "DynamoDB on-demand units sized from what the requests carried and the answers held "
                      "(bench/metering.py; UpdateItem a lower bound), SES messages, and any EventBridge events "
                      "or SQS requests the operations made. Left out: the Lambda invocation and GB-seconds "
                      "around each operation (the service runs in process here; a sweep is one invocation for "
                      "all its sends) and API Gateway for an answer's HTTP request.")
    cost.notes.append("A send reads the survey, the tenant's rules (once per sweep), the contact history and the "
                      "contacts, then writes one transaction (survey, history, 12 figure counters) and one SES "
                      "message. An answer reads the survey and the rules and writes one transaction (survey + "
                      "12 counters); the comment's sentiment is the shipped model, in process. A detractor's "
                      "follow-up ticket adds the tickets context's own requests (not in these rows).")
    sweep = Section("Survey sweep reads with pending surveys (in-memory store, same port; 100 due)",
                    ["pending", "due", "buckets", "due-index queries", "items read", "sent", "sweep ms"])
    for n in (10_000, 100_000):
        sweep.rows.append(_sweep_in_memory(n))
    sweep.notes.append("The due-index queries and items read depend on the buckets since the last sweep and the "
                       "surveys due in them, not on the pending ones; the in-memory fake's own bucket lookup "
                       "walks its dict, so its wall time grows a little with the pending count (DynamoDB's "
                       "Query on the bucket key does not).")
    moto = Section("Survey sweep against moto (real adapter, keys-only due-index GSI; 100 due)",
                   ["pending", "due", "items read", "sent", "due-index queries", "DynamoDB requests", "SES",
                    "setup s"])
    moto.rows.append(_sweep_on_moto(10_000))
    moto.notes.append("Measured once: 10k pending → 1 due-index query and 404 DynamoDB requests for 100 sends (4 "
                      "per survey: the survey, the history, the contacts, the transaction; plus the rules and the "
                      "cursor once); moto's wall time is its own (it filters the table in Python).")
    moto.notes.append("The 100k moto row is left out of `make bench` for its setup time (batched writes of "
                      "100,000 items into moto); the requests of a sweep do not depend on it (table above).")
    return [cost, sweep, moto]
