"""zh-Hant: the zh-Hans column converted with OpenCC `s2twp` (Taiwan characters and phrases),
then a few customer-service terms the conversion leaves in mainland usage.

`s2twp` rather than `s2t` / `s2tw`: those change only the characters and keep mainland words
(視頻, 軟件, 信息, 短信, 默認) that read as foreign in Taiwan; Hong Kong and Macau readers get
the Taiwan wording too (one Traditional catalog; docs/decisions.md)."""

from __future__ import annotations

from functools import lru_cache

import opencc

# Applied in order to the converted text (substrings): mainland terms -> Taiwan/HK customer service.
OVERRIDES: tuple[tuple[str, str], ...] = (
    ("質檢", "品檢"),        # quality inspection of a returned item
    ("到賬", "入帳"),        # money arrived on the account
    ("臺賬", "帳目"),        # ledger
    ("賬", "帳"),            # 帳號, 帳戶: Taiwan/HK use 帳 for accounts
    ("回復", "回覆"),        # a reply to the customer
    ("運單號", "貨運單號"),   # the carrier's tracking number
    ("運單", "託運單"),
    ("復盤", "檢討"),        # review what went wrong
)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


def convert(simplified: str) -> str:
    """One zh-Hans text in zh-Hant (placeholders are ASCII and pass through unchanged)."""
    text = _converter().convert(simplified)
    for mainland, local in OVERRIDES:
        text = text.replace(mainland, local)
    return text
