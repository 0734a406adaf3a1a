"""The Comprehend adapter's DetectSentiment call under moto (moto answers a canned sentiment and
validates the language and size; it has no BatchDetectSentiment)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from aftersales.adapters.comprehend import ComprehendSentiment
from aftersales.sentiment.model import DetectedText, Polarity


def test_detect_sentiment_through_boto3(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        adapter = ComprehendSentiment(boto3.client("comprehend"))
        (result,) = adapter.analyse([DetectedText("Muy bueno", "es")])
    # moto's canned answer: NEUTRAL, with its Neutral score as the confidence.
    assert (result.language, result.polarity, result.model_version) == ("es", Polarity.NEUTRAL, "comprehend")
    assert result.confidence > 0.99 and result.causes == ()
