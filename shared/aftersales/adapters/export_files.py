"""Export files on S3: CSV (the stdlib csv module, one object per record kind) streamed through a
multipart upload with a bounded buffer, and XLSX (openpyxl in write_only mode: rows go to temporary
files, never held in memory) uploaded in parts when the workbook is closed.

openpyxl is imported only here and only when an XLSX export runs: it is pinned in the export
worker's requirements, not in the layer."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from aftersales.analytics.exports import COLUMNS, ExportFormat, ExportJob, ExportSink
from aftersales.core.errors import Unavailable

PART_BYTES = 8 * 1024 * 1024  # S3 parts: ≥ 5 MiB but the last


class MultipartObject:
    """One S3 object written by parts of PART_BYTES; memory is one part whatever the size."""

    def __init__(self, s3: Any, bucket: str, key: str, content_type: str) -> None:
        self._s3, self._bucket, self.key = s3, bucket, key
        self._buffer = bytearray()
        self._parts: list[dict[str, object]] = []
        try:
            self._upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type,
                                                         ServerSideEncryption="AES256")["UploadId"]
        except Exception as exc:  # botocore's errors: one domain error
            raise Unavailable("exports.storage_unavailable") from exc

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= PART_BYTES:
            self._flush(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]

    def _flush(self, chunk: bytes) -> None:
        number = len(self._parts) + 1
        try:
            etag = self._s3.upload_part(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id,
                                        PartNumber=number, Body=chunk)["ETag"]
        except Exception as exc:
            raise Unavailable("exports.storage_unavailable") from exc
        self._parts.append({"PartNumber": number, "ETag": etag})

    def complete(self) -> str:
        if self._buffer or not self._parts:
            self._flush(bytes(self._buffer))
            self._buffer.clear()
        try:
            self._s3.complete_multipart_upload(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id,
                                               MultipartUpload={"Parts": self._parts})
        except Exception as exc:
            raise Unavailable("exports.storage_unavailable") from exc
        return self.key

    def abort(self) -> None:
        try:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id)
        except Exception:  # nothing more to do: the bucket's lifecycle removes abandoned uploads
            return


class CsvSink:
    def __init__(self, s3: Any, bucket: str, prefix: str) -> None:
        self._objects = {kind: MultipartObject(s3, bucket, f"{prefix}/{kind}.csv", "text/csv; charset=utf-8")
                         for kind in COLUMNS}
        self._text = io.StringIO()
        self._csv = csv.writer(self._text)
        for kind, columns in COLUMNS.items():
            self._objects[kind].write(b"\xef\xbb\xbf")  # a BOM: spreadsheet programs read UTF-8 (Chinese) right
            self.write(kind, [columns])

    def write(self, kind: str, rows: Sequence[Sequence[object]]) -> None:
        self._csv.writerows(rows)
        self._objects[kind].write(self._text.getvalue().encode("utf-8"))
        self._text.seek(0)
        self._text.truncate()

    def close(self) -> dict[str, str]:
        return {kind: obj.complete() for kind, obj in self._objects.items()}

    def abort(self) -> None:
        for obj in self._objects.values():
            obj.abort()


class XlsxSink:
    def __init__(self, s3: Any, bucket: str, prefix: str) -> None:
        from openpyxl import Workbook

        self._s3, self._bucket, self._key = s3, bucket, f"{prefix}/export.xlsx"
        self._book = Workbook(write_only=True)
        self._sheets = {}
        for kind, columns in COLUMNS.items():
            sheet = self._book.create_sheet(kind)
            sheet.append(list(columns))
            self._sheets[kind] = sheet

    def write(self, kind: str, rows: Sequence[Sequence[object]]) -> None:
        sheet = self._sheets[kind]
        for row in rows:
            sheet.append(list(row))

    def close(self) -> dict[str, str]:
        fd, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            self._book.save(path)
            target = MultipartObject(self._s3, self._bucket, self._key,
                                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            with open(path, "rb") as f:
                while chunk := f.read(PART_BYTES):
                    target.write(chunk)
            return {"workbook": target.complete()}
        finally:
            os.unlink(path)

    def abort(self) -> None:
        return  # nothing is uploaded before close


class S3ExportFiles:
    """The SinkFactory: objects under exports/<tenant>/<export id>/ in the private exports bucket."""

    def __init__(self, bucket: str) -> None:
        self._bucket = bucket

    @cached_property
    def _s3(self) -> Any:
        import boto3

        return boto3.client("s3")

    def open(self, job: ExportJob) -> ExportSink:
        prefix = f"exports/{job.tenant_id}/{job.export_id}"
        if job.format == ExportFormat.XLSX:
            return XlsxSink(self._s3, self._bucket, prefix)
        return CsvSink(self._s3, self._bucket, prefix)

    def download_urls(self, job: ExportJob, expires_seconds: int) -> dict[str, str]:
        def url(key: str) -> str:
            name = f"{job.month}-{key.rsplit('/', 1)[-1]}"
            return self._s3.generate_presigned_url("get_object", ExpiresIn=expires_seconds, Params={
                "Bucket": self._bucket, "Key": key, "ResponseContentDisposition": f'attachment; filename="{name}"'})

        return {part: url(key) for part, key in job.objects.items()}
