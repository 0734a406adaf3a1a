"""A Stripe dispute's evidence through the stripe SDK (StripeClient, v1), behind the disputes'
PlatformEvidence port.

* Each evidence file is uploaded first (`POST files.stripe.com/v1/files`, multipart, purpose
  `dispute_evidence`: PDF, JPEG or PNG), then `POST /v1/disputes/{dp_...}` sets the evidence hash
  (text fields and the uploaded file ids) with `submit` true (sent to the bank, once) or false (staged).
* Every call carries an idempotency key derived from the pack's (dispute id, version, submit), so a
  retry after a timeout gets Stripe's first answer instead of a second upload or update.
* SDK errors become domain errors once: connection / rate limit / 5xx -> ProviderUnavailable (retry),
  anything else -> ProviderRejected with Stripe's error code.
"""

from __future__ import annotations

import io
from typing import Any

from aftersales.disputes.model import PlatformCase
from aftersales.disputes.pack_ports import EvidenceFile, EvidenceSubmission, SentEvidence
from aftersales.refunds.provider_errors import ProviderRejected, ProviderUnavailable

PURPOSE = "dispute_evidence"
FILE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})  # what Stripe takes as dispute evidence


def _stripe():
    import stripe  # lazily: only the functions that send evidence pay for it

    return stripe


class StripeDisputeEvidence:
    def __init__(self, api_key: str, *, http_client: Any = None, max_network_retries: int = 0) -> None:
        stripe = _stripe()
        self._client = stripe.StripeClient(api_key, http_client=http_client,
                                           max_network_retries=max_network_retries)

    def send(self, case: PlatformCase, evidence: EvidenceSubmission, *, submit: bool,
             idempotency_key: str) -> SentEvidence:
        if case.provider != "stripe":
            raise ProviderRejected("disputes.provider_rejected", provider=case.provider, reason="not_stripe")
        fields: dict[str, str] = dict(evidence.texts)
        file_ids: dict[str, str] = {}
        for item in evidence.files:
            file_ids[item.field] = self._upload(item, f"{idempotency_key}-{item.field}")
        fields.update(file_ids)
        dispute = _call(lambda: self._client.v1.disputes.update(case.case_id, params={
            "evidence": fields, "submit": submit, "metadata": {"aftersales_idempotency_key": idempotency_key},
        }, options={"idempotency_key": idempotency_key}))
        return SentEvidence(case_id=dispute.id, fields=tuple(sorted(fields)), file_ids=file_ids, submitted=submit,
                            status=dispute.status or "unknown")

    def _upload(self, item: EvidenceFile, idempotency_key: str) -> str:
        if item.content_type not in FILE_TYPES:
            raise ProviderRejected("disputes.provider_rejected", provider="stripe", reason="file_type",
                                   field=item.field)
        content = io.BytesIO(item.content)
        content.name = item.filename  # the multipart part's filename
        uploaded = _call(lambda: self._client.v1.files.create(
            params={"purpose": PURPOSE, "file": content}, options={"idempotency_key": idempotency_key}))
        return uploaded.id


def _call(fn):
    stripe = _stripe()
    try:
        return fn()
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise ProviderUnavailable("disputes.provider_unavailable", provider="stripe",
                                  status=getattr(exc, "http_status", None) or "connection") from exc
    except stripe.StripeError as exc:
        status = getattr(exc, "http_status", None) or 0
        if status >= 500 or isinstance(exc, stripe.APIError):
            raise ProviderUnavailable("disputes.provider_unavailable", provider="stripe", status=status) from exc
        raise ProviderRejected("disputes.provider_rejected", provider="stripe",
                               reason=getattr(exc, "code", None) or type(exc).__name__) from exc
