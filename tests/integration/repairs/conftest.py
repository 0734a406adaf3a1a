"""Fixtures of the repairs' moto tests."""

from __future__ import annotations

import boto3
import pytest

from tests.support.repair_photos import VisitPhotos


@pytest.fixture
def visit_photos(aws, monkeypatch) -> VisitPhotos:
    """Visit photos granted through their job and checked: the template's media bucket exists, and
    the media check screens nothing (moto has no DetectModerationLabels), as on the local stack."""
    boto3.client("s3").create_bucket(Bucket=aws.functions["ApiFunction"].environment["MEDIA_BUCKET"])
    monkeypatch.setenv("MEDIA_MODERATION", "none")
    return VisitPhotos()
