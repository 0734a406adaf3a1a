"""Provider payloads of the media context: the S3 event notification the check function is
invoked with (tests/fixtures/s3, built after AWS's documented structure, see its SOURCE.md), and
Rekognition DetectModerationLabels answers through botocore's Stubber, which validates our request
and the answer against botocore's own service model."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from botocore.stub import Stubber

from aftersales.adapters.rekognition import MIN_CONFIDENCE, RekognitionModeration, flagged
from aftersales.media.model import MediaType, Screening, parse_upload_key

FIXTURES = Path(__file__).parents[1] / "fixtures" / "s3"


def test_the_s3_notification_names_the_upload_key_url_encoded():
    from urllib.parse import unquote_plus

    from aws_lambda_powertools.utilities.data_classes import S3Event

    raw = json.loads((FIXTURES / "object_created_post.json").read_text())
    raw["Records"][0]["s3"]["object"].update(key="uploads/acme%2Bco/med_01", size=1234)
    record = next(S3Event(raw).records)
    assert record.event_name == "ObjectCreated:Post"
    assert parse_upload_key(unquote_plus(record.s3.get_object.key)) == ("acme+co", "med_01")
    assert record.s3.get_object.size == 1234


def _screen(answer: dict) -> object:
    client = boto3.client("rekognition", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    moderation = RekognitionModeration(client)
    with Stubber(client) as stub:
        stub.add_response("detect_moderation_labels", answer,
                          {"Image": {"Bytes": b"\xff\xd8\xff jpeg"}, "MinConfidence": MIN_CONFIDENCE})
        return moderation.screen(MediaType.JPEG, b"\xff\xd8\xff jpeg")


def test_an_explicit_label_over_the_threshold_flags_the_image():
    answer = {"ModerationLabels": [
        {"Confidence": 97.1, "Name": "Explicit Nudity", "ParentName": "Explicit", "TaxonomyLevel": 2},
        {"Confidence": 97.1, "Name": "Explicit", "ParentName": "", "TaxonomyLevel": 1}],
        "ModerationModelVersion": "7.0"}
    result = _screen(answer)
    assert result.screening is Screening.FLAGGED and result.labels == ("Explicit", "Explicit Nudity")


def test_no_label_or_a_harmless_category_passes():
    assert _screen({"ModerationLabels": [], "ModerationModelVersion": "7.0"}).screening is Screening.PASSED
    swimwear = {"ModerationLabels": [{"Confidence": 91.0, "Name": "Swimwear or Underwear", "ParentName": "",
                                      "TaxonomyLevel": 1}], "ModerationModelVersion": "7.0"}
    assert flagged(swimwear).screening is Screening.PASSED


def test_videos_are_not_screened_by_the_image_api():
    assert RekognitionModeration().screen(MediaType.MP4, None).screening is Screening.NOT_SCREENED
