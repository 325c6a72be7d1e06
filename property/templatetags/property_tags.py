from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()
CENT = Decimal("0.01")


@register.filter
def yuan(value) -> str:
    """A Decimal amount of yuan shown exactly to the fen, with thousands separators (1,234.50).

    SQLite hands sums back with extra places (724153.390000000); PostgreSQL's are exact already."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{amount:,.2f}"
