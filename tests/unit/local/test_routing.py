"""API Gateway route precedence and authorizer policy evaluation."""

from __future__ import annotations

import pytest

from infra.local.routing import evaluate_policy, find_route, match_path, method_arn
from infra.local.template import Route

ROUTES = [
    Route("/{proxy+}", "ANY", "Api", "Root", "Auth"),
    Route("/openapi.json", "GET", "Api", "OpenApi", None),
    Route("/tickets/{id}", "GET", "Api", "Ticket", "Auth"),
    Route("/tickets/{id}/{proxy+}", "ANY", "Api", "TicketSub", "Auth"),
    Route("/tickets/summary", "GET", "Api", "Summary", "Auth"),
]


@pytest.mark.parametrize(
    ("method", "path", "event", "params"),
    [
        ("GET", "/openapi.json", "OpenApi", {}),
        ("POST", "/openapi.json", "Root", {"proxy": "openapi.json"}),  # method mismatch falls to ANY proxy
        ("GET", "/tickets/summary", "Summary", {}),  # literal beats {id}
        ("GET", "/tickets/9", "Ticket", {"id": "9"}),
        ("DELETE", "/tickets/9", "Root", {"proxy": "tickets/9"}),
        ("GET", "/tickets/9/notes/1", "TicketSub", {"id": "9", "proxy": "notes/1"}),
        ("GET", "/a/b/c", "Root", {"proxy": "a/b/c"}),
    ],
)
def test_more_specific_routes_win(method, path, event, params):
    match = find_route(ROUTES, method, path)
    assert match is not None
    assert (match.route.event_name, match.path_parameters) == (event, params)


def test_greedy_proxy_does_not_match_the_root():
    assert find_route(ROUTES, "GET", "/") is None
    assert match_path("/{proxy+}", "/") is None


def test_method_arn_shape():
    assert method_arn("us-east-1", "123456789012", "abc", "v1", "get", "/tickets/1") == (
        "arn:aws:execute-api:us-east-1:123456789012:abc/v1/GET/tickets/1"
    )


ARN = "arn:aws:execute-api:us-east-1:123456789012:abc/v1/GET/tickets/1"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (policy({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ARN}), "allow"),
        (policy({"Effect": "Allow", "Action": "execute-api:Invoke",
                 "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc/*/*"}), "allow"),
        (policy({"Effect": "Allow", "Action": "*", "Resource": ["arn:x", "arn:aws:execute-api:*:*:abc/v1/GET/*"]}),
         "allow"),
        (policy({"Effect": "Allow", "Action": "execute-api:Invoke",
                 "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc/v1/POST/*"}), "implicit-deny"),
        (policy({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"},
                {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*/GET/tickets/*"}), "deny"),
        (policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}), "implicit-deny"),
        ({}, "implicit-deny"),
    ],
)
def test_policy_evaluation(doc, expected):
    assert evaluate_policy(doc, ARN) == expected
