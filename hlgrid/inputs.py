"""Checks of plain input values shared by every app: one rule, one message each.

Each raises `InvalidInput` on the field it is given, so a form shows the message next to
the field and the API answers 400 with `{"errors": {field: [message]}}`.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from hlgrid.errors import InvalidInput

# Mainland mobile numbers (1 + 3..9 + 9 digits) and landlines with their area code
# (0 + 2-3 digits, then 7-8 digits, with or without a dash).
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def required(field: str, value, message=None) -> str:
    """The stripped text, or InvalidInput on `field` when it is empty."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if not text:
        raise InvalidInput.field(field, message or _("This field is required."))
    return text


def phone(raw: str, *, field: str = "phone") -> str:
    """A phone number as stored: a mobile's 11 digits, or a landline with its area code.

    Spaces, brackets, a +86 prefix and dashes inside a mobile (138-1234-5678) are accepted
    and removed; an empty value stays empty (callers that need one use `required` first).
    """
    number = re.sub(r"[\s()]", "", raw or "").removeprefix("+86")
    if MOBILE.match(number.replace("-", "")):
        return number.replace("-", "")
    if number and not LANDLINE.match(number):
        raise InvalidInput.field(field, _("Enter an 11-digit mobile number or a landline number."))
    return number


def decimal(field: str, value, *, minimum: Decimal | None = None) -> Decimal:
    """A finite Decimal (never a float), optionally at least `minimum`."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput.field(field, _("Enter a number.")) from None
    if not number.is_finite():
        raise InvalidInput.field(field, _("Enter a number."))
    if minimum is not None and number < minimum:
        raise InvalidInput.field(field, _("Enter a number of at least %(min)s.") % {"min": minimum})
    return number
