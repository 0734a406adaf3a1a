"""Export the catalog entries the workbench shows as JSON, one file per locale:
`python -m tools.workbench_messages build/workbench/messages` (run by `make workbench`).

The texts are read through the API's own catalogs (aftersales.core.i18n over the compiled .mo
files), so the browser and the API say the same thing; which ids are exported is decided by
their prefix, taken from the catalog source (tools/messages.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aftersales.core.i18n import translate
from tools.messages import MESSAGES

# workbench.*: the app's own texts; the rest label values the API sends as codes (pack.*: the
# evidence pack's labels of refund and dispute statuses, dispute subjects and outcomes).
PREFIXES = ("workbench.", "status.", "type.", "channel.", "role.", "event.", "pack.refund_status.",
            "pack.dispute_status.", "pack.subject.", "pack.outcome.")
# The staff workbench speaks en and zh-Hans (its users are the merchant's agents); the other
# customer locales have no workbench.* texts (tools/translations, docs/decisions.md).
LOCALES = ("en", "zh-Hans")


def catalog(locale: str) -> dict[str, str]:
    return {msgid: translate(msgid, locale) for msgid, *_ in MESSAGES if msgid.startswith(PREFIXES)}


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for locale in LOCALES:
        target = folder / f"{locale}.json"
        target.write_text(json.dumps(catalog(locale), ensure_ascii=False, sort_keys=True), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tools.workbench_messages <output folder>")
    write(Path(sys.argv[1]))
