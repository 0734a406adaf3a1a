"""Media: AWS requests per upload (grant, check, read; in-process against moto, counted at botocore),
the check's decode time per type, the media-check function's cold start with its decoders, and the
installed size of its own requirements."""

from __future__ import annotations

import statistics
import time
from importlib import metadata

from bench.coldstart import RUNS, _import_handler, _time
from bench.report import Section
from bench.support import RequestCounter, local_aws

FUNCTION_REQUIREMENTS = ("pillow", "pillow-heif", "mutagen")  # functions/media_check/requirements.txt
# botocore raises its request event for presigning too, which signs locally and sends nothing: boto3
# builds a presigned POST on the CreateBucket operation and a presigned GET on GetObject.
PRESIGNED = {"POST /media": ("s3", "CreateBucket"), "GET /media": ("s3", "GetObject")}


def run() -> list[Section]:
    return [_requests(), _decode_times(), _cold_start(), _package_size()]


def _requests() -> Section:
    import boto3

    from tests.support.api_client import ApiClient
    from tests.support.lambdas import FakeContext, load_handler
    from tests.support.media_files import photo_like

    section = Section("AWS requests per upload (moto, counted at botocore; the authorizer's reads not counted)",
                      ["step", "DynamoDB", "S3", "other AWS", "calls"])
    with local_aws() as model:
        import os

        from aftersales.wiring import reset, services

        os.environ.update({k: str(v) for k, v in model.functions["MediaCheckFunction"].environment.items()})
        os.environ["MEDIA_MODERATION"] = "none"  # moto has no DetectModerationLabels: +1 call per image on AWS
        reset()
        bucket = os.environ["MEDIA_BUCKET"]
        boto3.client("s3").create_bucket(Bucket=bucket)
        svc = services()
        svc.tenants.create_tenant("bench", "Bench")
        key = {"X-Api-Key": svc.tenants.issue_api_key("bench", "storefront").api_key}
        client, check = ApiClient(), load_handler("media_check")
        photo = photo_like(3, (1600, 1200), fmt="JPEG")

        def counted(label: str, call):
            counter = RequestCounter()
            with counter.counting():
                result = call()
            signed = PRESIGNED.get(label)
            for service, operation, target in list(counter.calls):
                if (service, operation) == signed:
                    del counter.calls[(service, operation, target)]
            section.rows.append([label, counter.total("dynamodb"), counter.total("s3"),
                                 counter.total() - counter.total("dynamodb") - counter.total("s3"),
                                 counter.describe() + (" (+ presigned locally)" if signed else "")])
            return result

        original = client.api.lambda_handler

        def api(method: str, path: str, body=None):
            def handler(event, context):
                return counted(f"{method} {path.split('/med_')[0]}", lambda: original(event, context))

            client.api.lambda_handler = handler
            try:
                return client.request(method, path, body, key)
            finally:
                client.api.lambda_handler = original

        granted = api("POST", "/media", {"purpose": "ticket_evidence", "content_type": "image/jpeg",
                                         "size": len(photo), "customer_id": "cust-1"}).body
        upload = granted["upload"]
        boto3.client("s3").put_object(Bucket=bucket, Key=upload["fields"]["key"], Body=photo,
                                      ContentType="image/jpeg")  # the browser's POST: one S3 request, not ours
        event = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Post",
                              "s3": {"bucket": {"name": bucket}, "object": {"key": upload["fields"]["key"],
                                                                            "size": len(photo)}}}]}
        counted("media check (S3 event, one image)", lambda: check.lambda_handler(event, FakeContext("MediaCheck")))
        api("GET", f"/media/{granted['media']['id']}")
    section.notes.append("Per ready image on AWS add one Rekognition DetectModerationLabels call and the "
                         "client's own S3 POST; presigning (POST and GET) signs locally and makes no request.")
    return section


def _decode_times() -> Section:
    from aftersales.adapters.media_inspector import PillowInspector
    from aftersales.media.model import MediaType
    from tests.support.media_files import mp4_bytes, photo_like

    section = Section("Media check: decode + EXIF strip + hash + moderation rendition, in-process (median of 5)",
                      ["file", "bytes", "ms"])
    inspector = PillowInspector()
    files = [(f"{fmt} 1600x1200", kind, photo_like(5, (1600, 1200), fmt=fmt))
             for fmt, kind in (("JPEG", MediaType.JPEG), ("PNG", MediaType.PNG), ("WEBP", MediaType.WEBP),
                               ("HEIF", MediaType.HEIC))]
    files.append(("MP4 header (mutagen)", MediaType.MP4, mp4_bytes(60)))
    for label, kind, content in files:
        inspector.inspect(kind, content)  # first use imports the decoders
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            inspector.inspect(kind, content)
            samples.append(time.perf_counter() - started)
        section.rows.append([label, len(content), round(statistics.median(samples) * 1000, 1)])
    section.notes.append("This machine's x86-64 CPU; the function runs on arm64 with 1024 MB (about 0.6 vCPU).")
    return section


def _cold_start() -> Section:
    section = Section("Media-check cold start (median of %d fresh interpreters)" % RUNS, ["what", "init ms"])
    entry = _import_handler("functions/media_check")
    decoders = "; from aftersales.adapters.media_inspector import _pillow; _pillow(); import mutagen.mp4"
    section.rows.append(["entry module (handler import)", round(statistics.median(
        _time(entry) for _ in range(RUNS)) * 1000, 1)])
    section.rows.append(["entry module + decoders (Pillow, pillow-heif, mutagen), as the first check pays",
                         round(statistics.median(_time(entry + decoders) for _ in range(RUNS)) * 1000, 1)])
    alone = "import PIL.Image, pillow_heif; pillow_heif.register_heif_opener(); import mutagen.mp4"
    section.rows.append(["decoders alone", round(statistics.median(_time(alone) for _ in range(RUNS)) * 1000, 1)])
    section.notes.append("Fresh interpreters on a machine shared with other work: compare rows, not runs.")
    return section


def _package_size() -> Section:
    section = Section("Media-check function: installed size of its own requirements (this venv's wheels)",
                      ["distribution", "version", "MB"])
    total = 0
    for name in FUNCTION_REQUIREMENTS:
        dist = metadata.distribution(name)
        size = sum(f.size or 0 for f in dist.files or [])
        total += size
        section.rows.append([name, dist.version, round(size / 1e6, 1)])
    section.rows.append(["total (the domain layer comes on top, shared by every function)", "", round(total / 1e6, 1)])
    section.notes.append("Lambda's limit is 250 MB unzipped (function + layers). imagehash with its numpy, "
                         "scipy and PyWavelets measured 246 MB installed, which is why the hash is computed "
                         "in plain Python (docs/media.md).")
    return section
