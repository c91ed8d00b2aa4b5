"""The team report as a PDF (fpdf2), from the same layout as the HTML page.

The PDF uses the standard Helvetica font, which every reader has and which needs no font
file: its encoding is Latin-1, so the few characters outside it (œ, ’, CO₂, narrow spaces)
are replaced by close equivalents before drawing.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from avec.estimate.layout import Section, Table, sections
from avec.estimate.report import TeamReport

_LATIN1 = str.maketrans(
    {
        "œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-",
        "…": "...", "\u202f": " ", "\u2009": " ", "₂": "2", "≤": "<=", "≥": ">=", "€": "EUR",
    }
)  # fmt: skip
_BLUE = (0, 0, 145)


def latin1(text: str) -> str:
    """``text`` with characters outside Latin-1 replaced (the standard PDF fonts' encoding)."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


class _ReportPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = latin1(title)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, f"AVEC - {self.report_title} - page {self.page_no()}", align="C")


def _bar_chart(pdf: _ReportPDF, table: Table) -> None:
    """A two-column count table drawn as label, value and a filled bar."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    label_w, value_w = width * 0.45, width * 0.12
    bar_max = width - label_w - value_w - 2
    pdf.set_font("Helvetica", style="B", size=9)
    pdf.cell(label_w, 5, latin1(table.headers[0]))
    pdf.cell(value_w, 5, latin1(table.headers[1]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    for (label, value), share in zip(table.rows, table.bars, strict=True):
        if pdf.get_y() > pdf.h - 20:
            pdf.add_page()
        y = pdf.get_y()
        pdf.cell(label_w, 5, latin1(label)[:60])
        pdf.cell(value_w, 5, latin1(value))
        pdf.set_fill_color(*_BLUE)
        pdf.rect(pdf.l_margin + label_w + value_w, y + 1, max(0.5, bar_max * share), 3, style="F")
        pdf.set_xy(pdf.l_margin, y + 5)
    pdf.set_fill_color(255, 255, 255)  # tables below must not inherit the bars' colour
    pdf.ln(3)


def _table(pdf: _ReportPDF, table: Table) -> None:
    if not table.rows:
        return
    if table.bars and len(table.headers) == 2:
        _bar_chart(pdf, table)
        return
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", size=8 if len(table.headers) > 4 else 9)
    with pdf.table(
        col_widths=tuple([width / len(table.headers)] * len(table.headers)),
        text_align="LEFT",
        line_height=4.5,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", fill_color=(240, 240, 247)),
    ) as grid:
        head = grid.row()
        for h in table.headers:
            head.cell(latin1(h))
        for cells in table.rows:
            row = grid.row()
            for cell in cells:
                row.cell(latin1(cell))
    pdf.ln(3)


def _section(pdf: _ReportPDF, section: Section) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.set_text_color(*_BLUE)
    pdf.cell(0, 8, latin1(section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", size=9.5)
    for paragraph in section.paragraphs:
        pdf.multi_cell(0, 5, latin1(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if section.paragraphs:
        pdf.ln(1)
    for table in section.tables:
        _table(pdf, table)


def render_pdf(report: TeamReport) -> bytes:
    """The report as PDF bytes."""
    pdf = _ReportPDF(report.title)
    pdf.set_title(latin1(report.title))
    pdf.set_creator("AVEC")
    pdf.set_creation_date(report.generated_at)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.multi_cell(0, 8, latin1(report.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9.5)
    pdf.set_text_color(80, 80, 80)
    generated = report.generated_at.strftime("%d/%m/%Y %H:%M")
    pdf.cell(
        0, 6, latin1(f"Période {report.period_fr} - généré le {generated} (UTC)"),
        new_x=XPos.LMARGIN, new_y=YPos.NEXT,
    )  # fmt: skip
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    for section in sections(report):
        _section(pdf, section)
    return bytes(pdf.output())
