"""SLA and dispatch HTTP routes (in-process API Gateway shapes, moto)."""

from __future__ import annotations


def test_inconsistent_policy_is_rejected_with_field_paths(api, demo):
    """GIVEN a policy with a negative duration, an unknown calendar and two overlapping rules
    WHEN a supervisor saves it
    THEN 422 lists every issue with its path, and nothing is saved."""
    sup = demo["acme"]["supervisor"]
    bad = {"rules": [
        {"rule_id": "a", "match": {"ticket_type": "return_refund"},
         "targets": {"resolution": {"duration": "PT8H", "calendar_id": "cn"}}},
        {"rule_id": "b", "match": {"channel": "app"}, "targets": {"resolution": {"duration": "PT4H",
                                                                              "clock": "calendar"}}},
    ]}
    reply = api.request("PUT", "/sla/policy", bad, sup)
    assert reply.status == 422, reply
    paths = {i["path"] for i in reply.body["error"]["details"]["issues"]}
    assert paths == {"rules.0.targets.resolution.calendar_id", "rules.1.precedence"}
    negative = {"rules": [{"rule_id": "a", "targets": {"resolution": {"duration": "-PT1H", "clock": "calendar"}}}]}
    reply = api.request("PUT", "/sla/policy", negative, sup)
    assert reply.status == 422
    assert reply.body["error"]["details"]["issues"][0]["path"] == "rules.0.targets.resolution.duration"
    assert api.request("GET", "/sla/policy", None, sup).status == 404


def test_calendar_then_policy_then_agents_and_figures(api, demo):
    """GIVEN a calendar and a policy using it
    WHEN saved by a supervisor and read back; agents and teams are created; figures asked
    THEN each answers; agents cannot manage agents (403)."""
    import os

    import boto3

    boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])  # policy_changed goes there
    sup, agent = demo["acme"]["supervisor"], demo["acme"]["agent"]
    cal = {"timezone": "Europe/Berlin", "weekly_hours": {d: [{"start": "09:00", "end": "18:00"}]
                                                         for d in ("mon", "tue", "wed", "thu", "fri")},
           "holidays": ["2026-10-01"]}
    assert api.request("PUT", "/sla/calendars/cn", cal, sup).status == 200
    bad_cal = {"timezone": "Mars/Base", "weekly_hours": {}}
    reply = api.request("PUT", "/sla/calendars/x", bad_cal, sup)
    assert reply.status == 422 and {i["path"] for i in reply.body["error"]["details"]["issues"]} >= {"timezone"}
    policy = {"rules": [{"rule_id": "a", "targets": {"resolution": {"business_days": 2, "calendar_id": "cn",
                                                                     "reminders": [0.75]}}}]}
    saved = api.request("PUT", "/sla/policy", policy, sup)
    assert saved.status == 200 and saved.body["version"] == 1
    team = {"skills": {"ticket_types": ["return_refund"], "languages": ["en"], "channels": ["app"]}}
    assert api.request("PUT", "/dispatch/teams/returns", team, sup).status == 200
    assert api.request("PUT", "/dispatch/agents/a1", {"team_id": "returns", "max_open": 5,
                                                      "availability": "online"}, sup).status == 200
    assert api.request("PUT", "/dispatch/agents/a2", {"team_id": "nope", "max_open": 5}, sup).status == 422
    assert api.request("PUT", "/dispatch/agents/a3", {"team_id": "returns", "max_open": 5}, agent).status == 403
    agents = api.request("GET", "/dispatch/agents", None, sup).body["items"]
    assert [(a["agent_id"], a["open_tickets"]) for a in agents] == [("a1", 0)]
    assert api.request("PUT", "/dispatch/agents/a4", {"team_id": "returns", "max_open": 1}, sup).status == 200
    deleted = api.request("DELETE", "/dispatch/agents/a4", None, sup)
    assert deleted.status == 204 and not deleted.body, deleted
    assert [a["agent_id"] for a in api.request("GET", "/dispatch/agents", None, sup).body["items"]] == ["a1"]
    for path in ("/sla/figures/daily-timeouts", "/sla/figures/ranking", "/sla/figures/compliance"):
        reply = api.request("GET", path, None, sup, {"from": "2026-11-01", "to": "2026-11-30"})
        # the days are the tenant's: its calendar without a region (Berlin), named in the answer
        assert reply.status == 200 and reply.body["items"] == [], (path, reply)
        assert reply.body["zone"] == "Europe/Berlin", (path, reply)
    reply = api.request("GET", "/sla/figures/compliance", None, sup, {"from": "2026-11-30", "to": "2026-11-01"})
    assert reply.status == 422


def test_reassignment_through_the_api_respects_the_targets_shift(api, demo):
    """GIVEN agent a1 online on a shift calendar that has no working time now and a ticket
    WHEN a supervisor moves the ticket to a1 THEN 409 dispatch.target_off_shift and the ticket keeps
    its assignee; with allow_off_shift THEN 200, the ticket is a1's and the audit keeps the reason;
    an agent (not a supervisor) is refused."""
    import os

    import boto3

    from tests.support.tickets import order_payload

    boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
    acme = demo["acme"]
    sup, agent = acme["supervisor"], acme["agent"]
    from datetime import UTC, datetime, timedelta

    # one working hour, on a weekday that is not today's (wherever the test runs): off shift now
    other_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(datetime.now(UTC) + timedelta(days=3)).weekday()]
    never = {"timezone": "UTC", "weekly_hours": {other_day: [{"start": "00:00", "end": "01:00"}]}}
    assert api.request("PUT", "/sla/calendars/never", never, sup).status == 200
    team = {"skills": {"ticket_types": ["return_refund"], "languages": ["en"], "channels": ["app"]}}
    assert api.request("PUT", "/dispatch/teams/returns", team, sup).status == 200
    assert api.request("PUT", "/dispatch/agents/a1", {"team_id": "returns", "max_open": 5, "availability": "online",
                                                      "shift_calendar_id": "never"}, sup).status == 200
    assert api.request("PUT", "/orders/O-1", order_payload(), acme["key"]).status == 201
    ticket = api.request("POST", "/tickets", {"type": "return_refund", "order_id": "O-1", "channel": "app",
                                              "reason_code": "damaged", "lines": [{"line_id": "L1", "quantity": 1}]},
                         acme["key"]).body
    move = {"ticket_ids": [ticket["id"]], "to_agent_id": "a1", "reason": "cover the night queue"}
    refused = api.request("POST", "/dispatch/reassignments", move, sup)
    assert refused.status == 409, refused
    assert "not on shift" in refused.body["error"]["message"], refused
    assert api.request("GET", f"/tickets/{ticket['id']}", None, sup).body["assignee_id"] is None
    assert api.request("POST", "/dispatch/reassignments", {**move, "allow_off_shift": True}, agent).status == 403
    moved = api.request("POST", "/dispatch/reassignments", {**move, "allow_off_shift": True}, sup)
    assert moved.status == 200, moved
    assert api.request("GET", f"/tickets/{ticket['id']}", None, sup).body["assignee_id"] == "a1"
    audit = api.request("GET", f"/tickets/{ticket['id']}/audit", None, sup).body["entries"]
    assert audit[-1]["event"] == "ticket.assigned" and audit[-1]["reason"] == "manual: cover the night queue"


def test_a_queue_page_reads_its_sla_clocks_in_one_batch(api, demo):
    """GIVEN a policy and two tracked tickets WHEN the workbench asks GET /sla/clocks for a page's ids
    THEN one BatchGetItem answers with each ticket's deadlines (an unknown id absent); a customer is
    refused; 101 ids is 422 at ticket_ids."""
    import os

    import boto3

    from aftersales.wiring import services
    from bench.support import RequestCounter
    from tests.support.tickets import order_payload

    boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
    acme = demo["acme"]
    sup = acme["supervisor"]
    policy = {"rules": [{"rule_id": "returns", "match": {"ticket_type": "return_refund"},
                         "targets": {"resolution": {"duration": "PT8H", "clock": "calendar", "reminders": [0.5]}}}]}
    assert api.request("PUT", "/sla/policy", policy, sup).status == 200
    assert api.request("PUT", "/orders/O-1", order_payload(quantity=4), acme["key"]).status == 201
    ids = []
    for _ in range(2):
        ticket = api.request("POST", "/tickets", {"type": "return_refund", "order_id": "O-1", "channel": "app",
                                                  "reason_code": "damaged",
                                                  "lines": [{"line_id": "L1", "quantity": 1}]}, acme["key"]).body
        services().sla.track("acme", ticket["id"])
        ids.append(ticket["id"])
    counter = RequestCounter()
    with counter.counting():
        reply = api.request("GET", "/sla/clocks", None, sup, {"ticket_ids": ",".join([*ids, "tkt_unknown"])})
    assert reply.status == 200, reply
    assert set(reply.body["clocks"]) == set(ids)
    (resolution,) = reply.body["clocks"][ids[0]]
    assert resolution["metric"] == "resolution" and resolution["due_at"] and resolution["breached"] is False
    # besides the authorizer's credential reads on the tenants table
    dynamo = {op: n for (service, op, target), n in counter.calls.items()
              if service == "dynamodb" and "TenantsTable" not in target}
    assert dynamo == {"BatchGetItem": 1}, counter.calls
    assert api.request("GET", "/sla/clocks", None, acme["cust-1"], {"ticket_ids": ids[0]}).status == 403
    many = api.request("GET", "/sla/clocks", None, sup, {"ticket_ids": ",".join(f"t{n}" for n in range(101))})
    assert many.status == 422 and many.body["error"]["fields"][0]["path"] == "ticket_ids"
