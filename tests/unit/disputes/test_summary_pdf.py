"""summary.pdf as a reader gets it: GIVEN a dispute with Chinese and English text, WHEN its pack is
built with the real renderer (fpdf2 and the shipped WenQuanYi Micro Hei font), THEN pdftotext
(Debian's poppler-utils, installed by `make test`) extracts the Chinese and the Latin strings, the
font is embedded as a subset, and the same pack gives the same PDF bytes. Not skipped when
pdftotext is absent: the Makefile installs it."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from aftersales.adapters.pdf_summary import FONT, FpdfSummaryRenderer
from tests.support.evidence_pack import ARBITRATOR, TENANT, PackRig


def _text(pdf: bytes, tmp_path: Path, *extra: str) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: `make test` installs poppler-utils (see the Makefile's pdftotext step)"
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *extra, str(path), "-"], check=True, capture_output=True, timeout=60).stdout.decode()


@pytest.fixture(scope="module")
def renderer() -> FpdfSummaryRenderer:
    return FpdfSummaryRenderer()


def test_chinese_and_latin_text_come_back_out_of_the_pdf(renderer, tmp_path):
    rig = PackRig(renderer, locale="zh-Hans")
    dispute_id = rig.disputed_return(messages=4, checkpoints=3, photos=2)
    pack = rig.packs.build(TENANT, dispute_id, ARBITRATOR)
    summary = zipfile.ZipFile(BytesIO(pack.content)).read("summary.pdf")
    assert summary == pack.summary_pdf and summary.startswith(b"%PDF-")

    text = _text(summary, tmp_path)

    for expected in ("证据包", "客户的诉求", "杯子有裂缝，照片为证。", "The mug arrived cracked; the box was dented.",
                     "被申诉的决定", "质检未通过", "customer_damage", "95.00 CNY", "10.00 CNY", "退款记录",
                     "re_3MtwBwLkdIwHu7ix28a3tqPa", "SF1234567890", "Acme returns policy 售后政策", "2026-11",
                     "客户照片 1 张，质检照片 1 张", "manifest.json", dispute_id):
        assert expected in text, expected
    # pdffonts comes with pdftotext (poppler-utils): the font is an embedded subset with a ToUnicode map
    fonts = subprocess.run([shutil.which("pdffonts") or "pdffonts", str(tmp_path / "summary.pdf")], check=True,
                           capture_output=True, timeout=60).stdout.decode()
    [row] = [line for line in fonts.splitlines() if "WenQuanYi" in line]
    assert "+WenQuanYi" in row and row.split()[-5:-2] == ["yes", "yes", "yes"], fonts


def test_an_english_ticket_gets_an_english_summary(renderer, tmp_path):
    rig = PackRig(renderer, locale="en")
    pack = rig.packs.build(TENANT, rig.disputed_return(messages=2, checkpoints=1, photos=1), ARBITRATOR)

    text = _text(pack.summary_pdf, tmp_path)

    for expected in ("Evidence pack for dispute", "The customer's claim", "杯子有裂缝", "The decision under dispute",
                     "Inspection failed", "Requested", "95.00 CNY", "Refunds", "Succeeded"):
        assert expected in text, expected
    assert "客户的诉求" not in text


def test_the_same_pack_gives_the_same_pdf_bytes(renderer):
    rig = PackRig(renderer)
    dispute_id = rig.disputed_return(messages=2, checkpoints=1, photos=0)
    first = rig.packs.build(TENANT, dispute_id, ARBITRATOR)
    assert rig.packs.build(TENANT, dispute_id, ARBITRATOR).summary_pdf == first.summary_pdf


def test_the_font_is_the_shipped_file_and_its_licence_is_beside_it():
    assert FONT.is_file() and FONT.stat().st_size < 6_000_000
    licence = (FONT.parent / "LICENSE-Apache-2.0.txt").read_text()
    assert "Apache License" in licence and "Version 2.0" in licence
    assert "Apache License 2.0" in (FONT.parent / "README.md").read_text()
