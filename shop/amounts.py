"""Parsing and rounding of money, quantities and rates: the one rounding rule lives here.

Rounding rule (used by quotes, invoices and credit notes alike, see `shop.lines`):
  * a line's amount is quantity × unit price, rounded half-up to the cent (0.005 → 0.01);
  * tax is computed once per tax rate on the sum of the rounded line amounts at that rate,
    rounded half-up to the cent;
  * the total is the sum of rounded line amounts plus the rounded tax amounts.
So the printed lines always add up to the printed net, and net + tax = total to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shop.errors import ValidationError

CENT = Decimal("0.01")
HUNDREDTH = Decimal("0.01")
MAX_MONEY = Decimal("10000000")  # ten million: anything above is a typo in a repair shop


def round_money(value: Decimal) -> Decimal:
    """The rounding rule: half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def with_tax(net: Decimal, rate_percent: Decimal) -> Decimal:
    """What a customer pays for NET at one tax rate: the rule of a one-rate document (tax on the net, rounded once).

    Prices are kept net (invoices add the tax); a customer sees them with the tax, and this gives
    the same cent as the invoice for the same services.
    """
    return net + round_money(net * rate_percent / 100)


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, float):
        raise ValidationError({field: "pass a decimal string, not a float"})
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace("€", "").replace(" ", "")
        if not text:
            # An empty field is a missed field, not a typo: say so instead of "'' is not a number".
            raise ValidationError({field: "must not be empty"})
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # 12,50 as typed in Germany
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError({field: f"{value!r} is not a number"}) from None
    if not number.is_finite():
        raise ValidationError({field: f"{value!r} is not a number"})
    return number


def parse_money(value: object, field: str, *, allow_zero: bool = True) -> Decimal:
    """A non-negative amount with at most two decimal places."""
    number = _decimal(value, field)
    if number < 0:
        raise ValidationError({field: "must not be negative"})
    if not allow_zero and number == 0:
        raise ValidationError({field: "must be more than zero"})
    if number != number.quantize(CENT):
        raise ValidationError({field: f"{value} has more than two decimal places"})
    if number > MAX_MONEY:
        raise ValidationError({field: f"{value} is implausibly large"})
    return number.quantize(CENT)


def parse_quantity(value: object, field: str = "quantity", *, allow_zero: bool = False) -> Decimal:
    """A positive quantity (pieces, litres, hours) with at most two decimal places."""
    number = _decimal(value, field)
    if number < 0:
        raise ValidationError({field: "must not be negative"})
    if number == 0 and not allow_zero:
        raise ValidationError({field: "must be more than zero"})
    if number != number.quantize(HUNDREDTH):
        raise ValidationError({field: f"{value} has more than two decimal places"})
    if number > Decimal("1000000"):
        raise ValidationError({field: f"{value} is implausibly large"})
    return number.quantize(HUNDREDTH)


def parse_rate(value: object, field: str = "tax_rate") -> Decimal:
    """A percentage between 0 and 100 with at most two decimal places."""
    number = _decimal(str(value).strip().rstrip("%"), field)
    if number < 0 or number > 100:
        raise ValidationError({field: "must be between 0 and 100"})
    if number != number.quantize(HUNDREDTH):
        raise ValidationError({field: f"{value} has more than two decimal places"})
    return number.quantize(HUNDREDTH)


def fmt_quantity(value: Decimal) -> str:
    """2.00 → '2', 2.50 → '2.5' for display."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
