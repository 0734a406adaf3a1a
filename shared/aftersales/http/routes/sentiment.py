"""The tenant's review-sentiment model: which model reads its reviews, the refits that decided it
(staff), and a refit now (admin)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from aftersales.auth.credentials import ApiKeyScope
from aftersales.http.context import RequestContext
from aftersales.sentiment.refit_schedule import RefitRun, Trigger
from aftersales.sentiment.refits import ModelStatus
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def run_view(run: RefitRun) -> dict:
    return run.model_dump(mode="json", exclude={"key"})


def status_view(status: ModelStatus) -> dict:
    model, state = status.in_use, status.state
    current = ({"source": "tenant", "version": model.version, "shipped_accuracy": model.shipped_accuracy,
                "tenant_accuracy": model.tenant_accuracy, "trained_on": model.trained_on,
                "held_back": model.held_back, "at": model.at.isoformat()}
               if model else {"source": "shipped", "version": status.shipped_version})
    return {"current": current, "shipped_version": status.shipped_version,
            "rated_since_refit": state.rated_since_refit,
            "refit_due_at": state.due_at.isoformat() if state.due_at else None,
            "last_refit": run_view(state.last_run) if state.last_run else None,
            "history": [run_view(run) for run in status.history]}


@router.get("/sentiment/model", tags=["sentiment"],
            summary="The model that reads the tenant's reviews, its accuracies, the last refit and the history (staff)")
def model_status() -> dict:
    request.require(*STAFF)
    return status_view(services().sentiment_refits.status(request.tenant()))


@router.post("/sentiment/model/refit", tags=["sentiment"],
             summary="Refit on the tenant's star-rated reviews now; kept only if it beats the shipped model (admin)")
def refit_now() -> Response[dict]:
    request.require(Role.ADMIN, scopes=(ApiKeyScope.ADMIN,))
    tenant_id = request.tenant()

    def compute() -> dict:
        refits = services().sentiment_refits
        run = refits.refit(tenant_id, Trigger.ADMIN)
        return {"refit": run_view(run)} | status_view(refits.status(tenant_id))

    return request.idempotent_post(200, compute)
