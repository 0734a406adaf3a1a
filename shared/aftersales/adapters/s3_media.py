"""The media bucket (boto3 S3): presigned POSTs for uploads, presigned GETs of checked copies,
the check's read of an upload and its write of the checked copy. Client created on first use."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.media.ports import PresignedPost


class S3MediaObjects:
    def __init__(self, bucket: str) -> None:
        self._bucket = bucket

    @cached_property
    def _s3(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", config=Config(signature_version="s3v4"))

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int, *,
                       redirect: str | None = None) -> PresignedPost:
        """The policy pins the bucket, the key, the Content-Type and the size range (and the
        success redirect of a plain HTML form); S3 refuses a post that breaks any of them
        (AccessDenied / EntityTooLarge)."""
        fields: dict[str, str] = {"Content-Type": content_type}
        conditions: list = [{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]
        if redirect:
            fields["success_action_redirect"] = redirect
            conditions.append({"success_action_redirect": redirect})
        post = self._s3.generate_presigned_post(Bucket=self._bucket, Key=key, ExpiresIn=expires_in,
                                                Fields=fields, Conditions=conditions)
        return PresignedPost(url=post["url"], fields=dict(post["fields"]), expires_in=expires_in)

    def presign_download(self, key: str, expires_in: int) -> str:
        return self._s3.generate_presigned_url("get_object", Params={"Bucket": self._bucket, "Key": key},
                                               ExpiresIn=expires_in)

    def read_upload(self, key: str, max_bytes: int) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self._s3.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{max_bytes}")["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return b""
            raise Unavailable("media.storage_unavailable") from exc

    def store_checked(self, upload_key: str, key: str, content: bytes | None, content_type: str) -> None:
        if content is None:
            self._s3.copy_object(Bucket=self._bucket, Key=key, CopySource={"Bucket": self._bucket, "Key": upload_key},
                                 ContentType=content_type, MetadataDirective="REPLACE",
                                 ServerSideEncryption="AES256")
        else:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, ContentType=content_type,
                                ServerSideEncryption="AES256")

    def discard_upload(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)
