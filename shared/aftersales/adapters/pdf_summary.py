"""summary.pdf with fpdf2 (pure Python), behind the disputes' SummaryRenderer port.

One font for both scripts: WenQuanYi Micro Hei (fonts/, Apache-2.0, see fonts/README.md), shipped
with the code because a Lambda function has no system fonts. fpdf2 embeds the subset of glyphs the
document uses with a ToUnicode map, so pdftotext (or a bank's reviewer copying text) gets the
Chinese and Latin text back. The creation date is the document's own time, so the same document
gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from aftersales.disputes.pack_model import Section, SummaryDocument

FONT = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FAMILY = "wqy"
LABEL_WIDTH = 48  # mm
LINE = 6  # mm


class FpdfSummaryRenderer:
    def __init__(self, font: Path = FONT) -> None:
        self._font = font

    def render(self, document: SummaryDocument) -> bytes:
        from fpdf import FPDF  # lazily: only the functions that build packs pay for it

        pdf = FPDF(format="A4")
        pdf.set_creation_date(document.created_at)
        pdf.set_lang("zh-CN" if document.language.startswith("zh") else "en")
        pdf.set_title(document.title)
        pdf.set_creator("aftersales evidence pack")
        pdf.set_producer("aftersales")
        pdf.add_font(FAMILY, "", str(self._font), collection_font_number=0)
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.set_margins(15, 15, 15)
        pdf.add_page()
        pdf.set_font(FAMILY, size=16)
        pdf.multi_cell(0, 9, document.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for section in document.sections:
            _section(pdf, section)
        pdf.ln(4)
        pdf.set_font(FAMILY, size=8)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 5, document.footer, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _section(pdf, section: Section) -> None:
    pdf.ln(2)
    pdf.set_font(FAMILY, size=12)
    pdf.set_text_color(20, 60, 120)
    pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(180, 180, 180)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, size=9.5)
    if section.rows:
        with pdf.table(col_widths=(LABEL_WIDTH, pdf.epw - LABEL_WIDTH), width=pdf.epw, first_row_as_headings=False,
                       borders_layout="NONE", line_height=LINE, text_align="LEFT", v_align="TOP",
                       padding=0.6) as table:
            for item in section.rows:
                row = table.row()
                row.cell(item.label)
                row.cell(item.value or "-")
    for paragraph in section.paragraphs:
        pdf.multi_cell(0, LINE, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
