"""The text messages the SMS sender handed to SNS (moto's in-process backend): number and text."""

from __future__ import annotations


def sent_texts() -> list[tuple[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())
