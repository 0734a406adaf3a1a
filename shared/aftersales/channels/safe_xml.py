"""Minimal hardened XML parsing with the stdlib (defusedxml is not available).

WeCom callbacks are small flat documents without DTDs, so any DOCTYPE / ENTITY declaration is
rejected outright: that closes entity expansion ("billion laughs") and external entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from aftersales.core.errors import InvalidRequest

MAX_XML_BYTES = 512 * 1024
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeXml(InvalidRequest):
    code = "xml_rejected"


def parse_xml(data: bytes | str) -> ET.Element:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_XML_BYTES:
        raise UnsafeXml("xml.too_large", size=len(raw))
    if _FORBIDDEN.search(raw):
        raise UnsafeXml("xml.dtd_forbidden")
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        raise UnsafeXml("xml.malformed") from exc


def child_text(root: ET.Element, tag: str) -> str | None:
    node = root.find(tag)
    return node.text if node is not None else None
