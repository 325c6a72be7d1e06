"""Units shared by the Party services: money to the fen, hours in half hours."""

from decimal import Decimal

CENT = Decimal("0.01")
HALF_HOUR = Decimal("0.5")
