"""Tenants' sentiment model files in S3 (boto3): one object per version, kept; client created on first use.

A model file is about 1.4 MB (the shipped model's hashed weights; a refit has as many), too large
for a 400 KB DynamoDB item, so the table holds a pointer to its key."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable

PREFIX = "sentiment-models"
UNAVAILABLE = "sentiment.analysis_unavailable"


class S3ModelFiles:
    def __init__(self, bucket: str) -> None:
        self._bucket = bucket

    @cached_property
    def _s3(self) -> Any:
        import boto3

        return boto3.client("s3")

    def put(self, tenant_id: str, version: str, data: bytes) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        key = f"{PREFIX}/{tenant_id}/{version}.bin"
        try:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType="application/octet-stream")
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return key

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable(UNAVAILABLE) from exc
