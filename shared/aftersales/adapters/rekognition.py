"""Media moderation adapters: Amazon Rekognition DetectModerationLabels on AWS, and the local
stack's adapter that screens nothing and says so.

Rekognition takes JPEG or PNG bytes (up to 5 MB) and answers labels with a confidence and their
top-level category (ParentName empty for a top-level label). An image is flagged when a label at
or over MIN_CONFIDENCE falls under one of BLOCKED_CATEGORIES (taxonomy v7; "Explicit Nudity" is the
v6 name). Videos are not screened here: Rekognition moderates video asynchronously only.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.media.model import MediaType, ModerationResult, Screening

MIN_CONFIDENCE = 80.0
BLOCKED_CATEGORIES = frozenset({"Explicit", "Explicit Nudity", "Violence", "Graphic Violence",
                                "Visually Disturbing", "Hate Symbols"})


class RekognitionModeration:
    provider = "rekognition"

    def __init__(self, client: Any = None) -> None:
        self._given = client  # tests pass a stubbed client; otherwise one is created on first use

    @cached_property
    def _client(self) -> Any:
        if self._given is not None:
            return self._given
        import boto3

        return boto3.client("rekognition")

    def screen(self, kind: MediaType, image: bytes | None) -> ModerationResult:
        if image is None or not kind.is_image:
            return ModerationResult(screening=Screening.NOT_SCREENED, provider=self.provider)
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._client.detect_moderation_labels(Image={"Bytes": image}, MinConfidence=MIN_CONFIDENCE)
        except (ClientError, BotoCoreError) as exc:
            raise Unavailable("media.moderation_unavailable") from exc  # retried with the S3 event
        return flagged(answer)


def flagged(answer: dict[str, Any]) -> ModerationResult:
    """The screening of one DetectModerationLabels answer."""
    hits = []
    for label in answer.get("ModerationLabels") or []:
        if float(label.get("Confidence") or 0) < MIN_CONFIDENCE:
            continue
        category = label.get("ParentName") or label.get("Name") or ""
        if category in BLOCKED_CATEGORIES or label.get("Name") in BLOCKED_CATEGORIES:
            hits.append(str(label.get("Name")))
    return ModerationResult(screening=Screening.FLAGGED if hits else Screening.PASSED, labels=tuple(sorted(hits)),
                            provider=RekognitionModeration.provider)


class NotScreened:
    """No moderation provider (the local stack): every upload is reported `not_screened`, and the
    rest of the pipeline (the reviewer, the agent) decides."""

    def screen(self, kind: MediaType, image: bytes | None) -> ModerationResult:
        return ModerationResult(screening=Screening.NOT_SCREENED)
