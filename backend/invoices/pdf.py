"""A document as PDF (fpdf2), drawn from its snapshot alone: the same document always
gives the same pages. Written in DejaVu Sans (Debian's fonts-dejavu-core, which
`./shop` installs): any script a name or address may be in, and every currency sign."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from backend.core.money import format_money
from backend.invoices.models import Document
from backend.invoices.services import totals_rows

FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
TITLES = {"invoice": "Invoice", "credit_note": "Credit note"}


class FontMissingError(RuntimeError):
    """The PDF font is not installed: fail with how to fix it, never with a blank page."""


def _pdf() -> FPDF:
    regular, bold = FONT_FOLDER / "DejaVuSans.ttf", FONT_FOLDER / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        raise FontMissingError(
            f"{regular} is missing: install Debian's fonts-dejavu-core "
            "(./shop run installs it) to write invoices."
        )
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_margins(18, 18, 18)
    return pdf


def _text_block(pdf: FPDF, lines: list[str], *, size: float = 9.5) -> None:
    pdf.set_font("DejaVu", "", size)
    for line in lines:
        if line:
            pdf.multi_cell(0, 5, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(document: Document) -> bytes:
    """The document's PDF."""
    pdf = _pdf()
    pdf.set_title(f"{TITLES[document.kind]} {document.number}")
    pdf.set_author(str(document.seller.get("name") or ""))
    pdf.add_page()

    def money(amount: Decimal | str) -> str:
        return format_money(Decimal(amount), document.currency)

    seller, buyer = document.seller, document.buyer
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 7, str(seller.get("name") or ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _text_block(
        pdf,
        [
            *str(seller.get("address") or "").splitlines(),
            f"VAT number: {seller['vat_number']}" if seller.get("vat_number") else "",
            str(seller.get("email") or ""),
        ],
    )
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(
        0, 10, f"{TITLES[document.kind]} {document.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    _text_block(
        pdf,
        [
            f"Issued: {document.issued_at:%d %B %Y}",
            f"Order: {document.order_number}",
            f"Corrects invoice: {document.corrects}" if document.corrects else "",
        ],
        size=10,
    )
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, "Billed to", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _text_block(
        pdf,
        [
            str(buyer.get("name") or ""),
            str(buyer.get("line1") or ""),
            str(buyer.get("line2") or ""),
            " ".join(str(buyer.get(k) or "") for k in ("postal_code", "city")).strip(),
            str(buyer.get("region") or ""),
            str(buyer.get("country") or ""),
            str(buyer.get("email") or ""),
        ],
        size=10,
    )
    pdf.ln(6)

    widths = (100, 16, 28, 30)
    pdf.set_font("DejaVu", "B", 9.5)
    for width, heading, align in zip(
        widths, ("Item", "Qty", "Unit price", "Total"), ("L", "R", "R", "R"), strict=True
    ):
        pdf.cell(width, 7, heading, border="B", align=align)
    pdf.ln()
    pdf.set_font("DejaVu", "", 9.5)
    for line in document.lines:
        description = str(line["description"])
        wrapped = pdf.multi_cell(widths[0], 6, description, align="L", dry_run=True, output="LINES")
        rows = len(wrapped) if isinstance(wrapped, list) else 1
        top = pdf.get_y()
        pdf.multi_cell(widths[0], 6, description, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.cell(widths[1], 6, str(line["quantity"]), align="R")
        pdf.cell(widths[2], 6, money(line["unit_price"]), align="R")
        pdf.cell(widths[3], 6, money(line["total"]), align="R")
        pdf.set_xy(pdf.l_margin, top + max(rows, 1) * 6)
    pdf.ln(2)
    label_width, amount_width = sum(widths[:3]), widths[3]
    for label, amount in totals_rows(document):
        pdf.cell(label_width, 6, label, align="R")
        pdf.cell(amount_width, 6, money(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(label_width, 8, "Total", align="R", border="T")
    pdf.cell(
        amount_width,
        8,
        money(document.total),
        align="R",
        border="T",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if document.note:
        pdf.ln(4)
        _text_block(pdf, [document.note])
    return bytes(pdf.output())
