"""Invoice and credit-note PDFs with fpdf2.

A Unicode TTF (DejaVu Sans, vendored in `shop/fonts/`) is embedded, because the PDF core fonts
cannot print "€" or many names.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from shop import settings
from shop.amounts import fmt_quantity

FONTS = Path(__file__).resolve().parent / "fonts"
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥", "PLN": "zł", "SEK": "kr"}


def money(amount: Decimal, currency: str) -> str:
    symbol = SYMBOLS.get(currency, currency)
    text = f"{amount:,.2f}"
    return f"{text} {symbol}"


def render(info, shop: Mapping[str, str]) -> bytes:  # type: ignore[no-untyped-def]
    """INFO is a `shop.invoices.InvoiceInfo`; SHOP the shop.* settings."""
    currency = settings.get("shop.currency")
    footer = settings.get("invoice.footer")
    pdf = FPDF(format="A4")
    pdf.set_title(f"{'Credit note' if info.kind == 'credit_note' else 'Invoice'} {info.number or 'draft'}")
    pdf.set_author(shop["shop.name"])
    pdf.set_creator("garage")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(width, 8, shop["shop.name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    contact = " · ".join(v for v in (shop["shop.address"], shop["shop.phone"], shop["shop.email"]) if v)
    pdf.cell(width, 5, contact, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    pdf.set_font("DejaVu", "", 10)
    top = pdf.get_y()
    pdf.multi_cell(width / 2, 5, "\n".join(v for v in (info.customer_name, info.customer_address) if v))
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width / 2, top)
    if info.kind == "credit_note":
        title = f"Credit note {info.number}"
    elif info.number:
        title = f"Invoice {info.number}"
    else:
        title = "DRAFT invoice (not valid for payment)"
    facts = [title]
    if info.credit_of:
        facts.append(f"Credits invoice {info.credit_of}")
    if info.issue_date:
        facts.append(f"Date: {info.issue_date.isoformat()}")
    if info.due_date and info.kind == "invoice":
        facts.append(f"Due: {info.due_date.isoformat()}")
    if info.vehicle:
        facts.append(f"Car: {info.vehicle}")
    if info.vin:
        facts.append(f"VIN: {info.vin}")
    if info.mileage is not None:
        facts.append(f"Mileage: {info.mileage:,} km")
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(width / 2, 6, facts[0], new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width / 2, 5, "\n".join(facts[1:]))
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    if info.reason:
        pdf.multi_cell(width, 5, f"Reason: {info.reason}")
        pdf.ln(2)

    cols = [("#", 8, "R"), ("Description", 86, "L"), ("Qty", 16, "R"), ("Unit", 26, "R"), ("Tax", 14, "R")]
    cols.append(("Amount", width - sum(c[1] for c in cols), "R"))
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_fill_color(235, 235, 235)
    for name, w, align in cols:
        pdf.cell(w, 7, name, border="B", align=align, fill=True)
    pdf.ln()
    pdf.set_font("DejaVu", "", 9)
    for line in info.lines:
        cells = [
            str(line.position),
            line.description,
            fmt_quantity(line.quantity),
            money(line.unit_price, currency),
            f"{fmt_quantity(line.tax_rate)}%",
            money(line.amount, currency),
        ]
        for (_, w, align), text in zip(cols, cells, strict=True):
            if pdf.get_string_width(text) > w - 2:
                while text and pdf.get_string_width(text + "…") > w - 2:
                    text = text[:-1]
                text += "…"
            pdf.cell(w, 6, text, align=align)
        pdf.ln()
    pdf.ln(2)

    label_w = width - 40
    rows: list[tuple[str, Decimal, bool]] = [("Net", info.totals.net, False)]
    for band in info.totals.bands:
        rows.append((f"Tax {fmt_quantity(band.rate)}% on {money(band.net, currency)}", band.tax, False))
    rows.append(("Total", info.totals.total, True))
    if info.kind == "invoice" and info.number:
        if info.credited:
            rows.append(("Credited", -info.credited, False))
        if info.paid:
            rows.append(("Paid", -info.paid, False))
        rows.append(("Amount due", info.due, True))
    for label, amount, bold in rows:
        pdf.set_font("DejaVu", "B" if bold else "", 10)
        pdf.cell(label_w, 6, label, align="R")
        pdf.cell(40, 6, money(amount, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 9)
    terms = []
    if info.kind == "invoice" and info.due_date and info.due > 0:
        terms.append(f"Please pay {money(info.due, currency)} by {info.due_date.isoformat()}.")
    if footer:
        terms.append(footer)
    if info.notes:
        terms.append(info.notes)
    if terms:
        pdf.multi_cell(width, 5, "\n".join(terms))
    return bytes(pdf.output())
