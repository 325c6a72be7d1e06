"""Resident ID numbers (居民身份证号码) per GB 11643-1999: pure functions, no database.

An 18-character number: a 6-digit address code (GB/T 2260: province, prefecture, county),
an 8-digit birth date (YYYYMMDD), a 3-digit sequence (odd for men, even for women) and a
check character computed with ISO 7064 MOD 11-2 ("X" stands for 10).
"""

import datetime
import re
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province codes of GB/T 2260 (11 北京 ... 65 新疆, 71 台湾, 81 香港, 82 澳门).
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
     54, 61, 62, 63, 64, 65, 71, 81, 82}
)  # fmt: skip
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    """The number is not a valid GB 11643 ID number; the message says why (in English)."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    region: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise InvalidIdNumber("the first 17 characters must be digits")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def normalise(raw: str) -> str:
    """Strip spaces and turn a lowercase x into X."""
    return re.sub(r"\s+", "", raw or "").upper()


def parse(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    """Validate an ID number and return it normalised with the facts it encodes.

    Raises InvalidIdNumber with the reason: length, characters, region prefix, birth date
    (real, not before 1900, not in the future) or check character.
    """
    number = normalise(raw)
    if len(number) != 18:
        raise InvalidIdNumber("an ID number has 18 characters")
    if not _SHAPE.match(number):
        raise InvalidIdNumber("an ID number is 17 digits followed by a digit or X")
    region = number[:6]
    # A person is registered at a county-level code: a known province, and not the province itself.
    if int(region[:2]) not in PROVINCES or region[2:] == "0000":
        raise InvalidIdNumber("the first six digits are not an address code")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("the birth date is not a real date") from None
    today = today or datetime.date.today()
    if birth > today:
        raise InvalidIdNumber("the birth date is in the future")
    if birth < EARLIEST_BIRTH:
        raise InvalidIdNumber("the birth date is before 1900")
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber("the check character does not match")
    sex = "M" if int(number[16]) % 2 else "F"
    return IdNumber(number=number, region=region, birth_date=birth, sex=sex)


def is_valid(raw: str, *, today: datetime.date | None = None) -> bool:
    try:
        parse(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def make(region: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests): sequence 0-999, odd for men."""
    if not (len(region) == 6 and region.isdigit()) or not 0 <= sequence <= 999:
        raise ValueError("region must be 6 digits and sequence 0-999")
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
