"""The invoice PDF (fpdf2), in the buyer's language (en, de, nl).

Rendered on first download and cached in ``InvoicePdf``, never inside the billing run.
The font is Roboto from the ``font-roboto`` package (Apache 2.0): a Unicode TrueType
font that ships with the code, so no system font is assumed (umlauts, €, ß).
"""

from __future__ import annotations

import logging
from datetime import datetime

import font_roboto
from babel.dates import format_date
from django.db import IntegrityError, transaction
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from partnerdesk.billing.models import Invoice, InvoicePdf
from partnerdesk.core import clock
from partnerdesk.core.money import format_money

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "corrects": "Corrects invoice",
        "number": "Number",
        "date": "Date",
        "due": "Due",
        "seller": "From",
        "buyer": "Bill to",
        "vat_id": "VAT ID",
        "description": "Description",
        "period": "Period",
        "seats": "Seats",
        "months": "months",
        "days": "days",
        "unit_price": "Price/month",
        "unit_price_day": "Price/day",
        "discount": "Discount",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "net": "Net",
        "vat": "VAT",
        "total": "Total",
        "top_up": "additional seats",
        "bank": "Please transfer the total by {due} to:",
        "reference": "Reference",
        "card": "The total will be charged to your card.",
        "paid": "Paid on {date}. Thank you.",
    },
    "de": {
        "invoice": "Rechnung",
        "credit_note": "Gutschrift",
        "corrects": "Korrektur zur Rechnung",
        "number": "Rechnungsnummer",
        "date": "Rechnungsdatum",
        "due": "Fällig am",
        "seller": "Von",
        "buyer": "Rechnungsempfänger",
        "vat_id": "USt-IdNr.",
        "description": "Beschreibung",
        "period": "Zeitraum",
        "seats": "Lizenzen",
        "months": "Monate",
        "days": "Tage",
        "unit_price": "Preis/Monat",
        "unit_price_day": "Preis/Tag",
        "discount": "Rabatt",
        "amount": "Betrag",
        "subtotal": "Zwischensumme",
        "net": "Netto",
        "vat": "USt.",
        "total": "Gesamtbetrag",
        "top_up": "zusätzliche Lizenzen",
        "bank": "Bitte überweisen Sie den Gesamtbetrag bis zum {due} auf folgendes Konto:",
        "reference": "Verwendungszweck",
        "card": "Der Gesamtbetrag wird von Ihrer Kreditkarte abgebucht.",
        "paid": "Bezahlt am {date}. Vielen Dank.",
    },
    "nl": {
        "invoice": "Factuur",
        "credit_note": "Creditnota",
        "corrects": "Correctie van factuur",
        "number": "Factuurnummer",
        "date": "Factuurdatum",
        "due": "Vervaldatum",
        "seller": "Van",
        "buyer": "Factuur aan",
        "vat_id": "Btw-nummer",
        "description": "Omschrijving",
        "period": "Periode",
        "seats": "Licenties",
        "months": "maanden",
        "days": "dagen",
        "unit_price": "Prijs/maand",
        "unit_price_day": "Prijs/dag",
        "discount": "Korting",
        "amount": "Bedrag",
        "subtotal": "Subtotaal",
        "net": "Netto",
        "vat": "Btw",
        "total": "Totaal",
        "top_up": "extra licenties",
        "bank": "Gelieve het totaal uiterlijk {due} over te maken naar:",
        "reference": "Kenmerk",
        "card": "Het totaal wordt van uw creditcard afgeschreven.",
        "paid": "Betaald op {date}. Hartelijk dank.",
    },
}

# fontTools logs every subsetting step at INFO: noise in the server log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = "Roboto"
DASH = "\u2013"  # en dash, as in print
LINE = 5.5


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT, "", font_roboto.font_files["Roboto"])
    pdf.add_font(FONT, "B", font_roboto.font_files["RobotoBold"])
    return pdf


def render_invoice_pdf(invoice: Invoice) -> bytes:
    lang = invoice.language if invoice.language in LABELS else "en"
    t = LABELS[lang]

    def money(amount) -> str:
        return format_money(amount, invoice.currency, lang)

    def day(value: datetime) -> str:
        return format_date(value.date(), format="medium", locale=lang)

    pdf = _pdf()
    pdf.set_creation_date(invoice.issued_at)
    pdf.set_title(f"{t[invoice.kind]} {invoice.number}")
    pdf.set_author(invoice.seller_name)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FONT, "B", 18)
    pdf.cell(width, 10, f"{t[invoice.kind]} {invoice.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    facts = [
        (t["number"], invoice.number),
        (t["date"], day(invoice.issued_at)),
    ]
    if invoice.kind == Invoice.Kind.INVOICE:
        facts.append((t["due"], day(invoice.due_at)))
    elif invoice.corrects_id:
        facts.append((t["corrects"], invoice.corrects.number))
    for label, value in facts:
        pdf.cell(45, LINE, label)
        pdf.cell(width - 45, LINE, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    # Seller and buyer side by side.
    top = pdf.get_y()
    half = width / 2 - 4
    for column, (title, name, address, country, vat_id) in enumerate(
        [
            (t["seller"], invoice.seller_name, invoice.seller_address, invoice.seller_country, invoice.seller_vat_id),
            (t["buyer"], invoice.buyer_name, invoice.buyer_address, invoice.buyer_country, invoice.buyer_vat_id),
        ]
    ):
        pdf.set_xy(pdf.l_margin + column * (half + 8), top)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(half, LINE, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10)
        text = "\n".join(part for part in [name, address.strip(), country] if part)
        if vat_id:
            text += f"\n{t['vat_id']}: {vat_id}"
        pdf.multi_cell(half, LINE, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + 30) + 6)

    # Lines.
    widths = [width - 104, 16, 24, 32, 32]
    daily = any(line.days is not None for line in invoice.lines.all())
    pdf.set_font(FONT, "B", 9)
    for heading, w, align in zip(
        [t["description"], t["seats"], t["unit_price_day" if daily else "unit_price"], t["discount"], t["amount"]],
        widths,
        "LRRRR",
        strict=True,
    ):
        pdf.cell(w, LINE + 1, heading, border="B", align=align)
    pdf.ln(LINE + 2)
    pdf.set_font(FONT, "", 9)
    for line in invoice.lines.all():
        span = f"{line.months} {t['months']}" if line.months is not None else f"{line.days} {t['days']}"
        title = f"{line.product_name} {DASH} {line.plan_name}"
        if line.charge == "top_up":
            title += f" ({t['top_up']})"
        description = f"{title}\n{t['period']}: {day(line.period_start)} {DASH} {day(line.period_end)}\n{span}"
        rows = len(pdf.multi_cell(widths[0], LINE, description, dry_run=True, output="LINES", align="L"))
        if pdf.will_page_break(rows * LINE):
            pdf.add_page()
        y = pdf.get_y()
        pdf.multi_cell(widths[0], LINE, description, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_xy(pdf.l_margin + widths[0], y)
        discount = f"{line.discount_percent.normalize():f} % ({money(line.discount)})" if line.discount else DASH
        for value, w in zip(
            [str(line.seats), money(line.unit_price), discount, money(line.amount)], widths[1:], strict=True
        ):
            pdf.cell(w, LINE, value, align="R")
        pdf.set_xy(pdf.l_margin, y + rows * LINE + 2)
    pdf.ln(2)

    # Totals.
    rate = f"{invoice.tax_rate.normalize():f}"
    totals = [
        (t["subtotal"], money(invoice.subtotal)),
        (t["discount"], money(-invoice.discount)),
        (t["net"], money(invoice.net)),
        (f"{t['vat']} {rate} %", money(invoice.tax)),
    ]
    for label, value in totals:
        pdf.cell(width - 40, LINE, label, align="R")
        pdf.cell(40, LINE, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(width - 40, LINE + 2, t["total"], align="R")
    pdf.cell(40, LINE + 2, money(invoice.total), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.ln(4)
    if invoice.tax_note:
        pdf.multi_cell(width, LINE, invoice.tax_note, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    # How to pay.
    if invoice.kind == Invoice.Kind.INVOICE:
        if invoice.status == Invoice.Status.PAID and invoice.paid_at:
            pdf.multi_cell(width, LINE, t["paid"].format(date=day(invoice.paid_at)), align="L")
        elif invoice.payment_method == "bank_transfer":
            bank = [t["bank"].format(due=day(invoice.due_at))]
            bank += [part for part in [invoice.seller_name, invoice.seller_bank_name] if part]
            if invoice.seller_iban:
                bank.append(f"IBAN: {invoice.seller_iban}")
            if invoice.seller_bic:
                bank.append(f"BIC: {invoice.seller_bic}")
            bank.append(f"{t['reference']}: {invoice.number}")
            pdf.multi_cell(width, LINE, "\n".join(bank), align="L")
        else:
            pdf.multi_cell(width, LINE, t["card"], align="L")
    return bytes(pdf.output())


def invoice_pdf(invoice: Invoice, *, now: datetime | None = None) -> bytes:
    """The invoice's PDF: rendered once, then served from the cache.

    A paid invoice shows "paid", so the cache is kept per payment state: a PDF rendered
    while open is rendered again after payment.
    """
    cached = InvoicePdf.objects.filter(invoice=invoice).first()
    if cached is not None and cached.status == invoice.status:
        return bytes(cached.content)
    content = render_invoice_pdf(invoice)
    now = clock.resolve(now)
    try:
        with transaction.atomic():
            InvoicePdf.objects.update_or_create(
                invoice=invoice, defaults={"content": content, "status": invoice.status, "rendered_at": now}
            )
    except IntegrityError:
        pass  # rendered concurrently; both renderings are identical
    return content
