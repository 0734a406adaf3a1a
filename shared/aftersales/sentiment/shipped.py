"""The model file shipped beside this module, read once per container on first use."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aftersales.sentiment.linear import SentimentModel

MODEL_FILE = Path(__file__).with_name("sentiment.bin")


@cache
def shipped_model() -> SentimentModel:
    """Built by tools/train_sentiment.py; its version is on every result it decides."""
    return SentimentModel.from_bytes(MODEL_FILE.read_bytes())
