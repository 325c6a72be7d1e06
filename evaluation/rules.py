"""Raw value → points: the three stated rules, as pure functions (no database).

Every result is quantized to 0.01 half up (models.to_points), so an assessment's total
is exactly the sum of its lines' points.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from evaluation.models import Rule, to_points
from hlgrid.errors import InvalidInput

ZERO = Decimal("0")


def _dec(value, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput.field(field, _("%(value)s is not a number.") % {"value": value}) from None
    if not result.is_finite():
        raise InvalidInput.field(field, _("%(value)s is not a number.") % {"value": value})
    return result


def validate_params(*, rule: str, params: dict, weight: Decimal, field: str = "params") -> dict:
    """Check and normalise a rule's parameters; raise InvalidInput naming the problem."""
    params = dict(params or {})
    if rule == Rule.LINEAR:
        if "low" not in params or "high" not in params:
            raise InvalidInput.field(field, _("A linear rule needs a low and a high bound."))
        low, high = _dec(params["low"], field), _dec(params["high"], field)
        if low == high:
            raise InvalidInput.field(field, _("The low and high bounds must differ."))
        return {"low": str(low), "high": str(high)}
    if rule == Rule.THRESHOLDS:
        steps = params.get("steps")
        if not isinstance(steps, list) or not steps:
            raise InvalidInput.field(field, _("A threshold rule needs at least one step [from, points]."))
        clean = []
        for step in steps:
            if not isinstance(step, list | tuple) or len(step) != 2:
                raise InvalidInput.field(field, _("Each step is a pair [from, points]."))
            bound, points = _dec(step[0], field), _dec(step[1], field)
            if points < 0 or points > weight:
                raise InvalidInput.field(field, _("A step's points must lie between 0 and the weight."))
            clean.append([str(bound), str(points)])
        lower = params.get("direction") == "lower"
        clean.sort(key=lambda s: Decimal(s[0]), reverse=not lower)
        return {"steps": clean, "direction": "lower" if lower else "higher"}
    if rule == Rule.PENALTY:
        per_item = _dec(params.get("per_item", ""), field)
        if per_item <= 0:
            raise InvalidInput.field(field, _("The penalty per item must be positive."))
        return {"per_item": str(per_item)}
    raise InvalidInput.field("rule", _("Unknown rule %(rule)s.") % {"rule": rule})


def points_for(*, rule: str, params: dict, weight: Decimal, raw: Decimal) -> Decimal:
    """Points for a raw value (a percentage, a score or a count of items)."""
    weight = Decimal(weight)
    if rule == Rule.LINEAR:
        low, high = Decimal(params["low"]), Decimal(params["high"])
        fraction = (Decimal(raw) - low) / (high - low)
        fraction = min(Decimal(1), max(ZERO, fraction))
        return to_points(weight * fraction)
    if rule == Rule.THRESHOLDS:
        lower = params.get("direction") == "lower"
        for bound, points in params["steps"]:
            if (raw <= Decimal(bound)) if lower else (raw >= Decimal(bound)):
                return to_points(Decimal(points))
        return to_points(ZERO)
    if rule == Rule.PENALTY:
        return to_points(max(ZERO, weight - Decimal(params["per_item"]) * Decimal(raw)))
    raise ValueError(rule)


def describe(*, rule: str, params: dict, weight: Decimal) -> str:
    """The rule in words, shown next to the score."""
    weight = to_points(Decimal(weight))
    if rule == Rule.LINEAR:
        return _("linear: %(low)s → 0 points, %(high)s → %(weight)s points") % {
            "low": params["low"],
            "high": params["high"],
            "weight": weight,
        }
    if rule == Rule.THRESHOLDS:
        sign = "≤" if params.get("direction") == "lower" else "≥"
        steps = ", ".join(f"{sign}{bound} → {points}" for bound, points in params["steps"])
        return _("thresholds: %(steps)s, otherwise 0") % {"steps": steps}
    if rule == Rule.PENALTY:
        return _("%(weight)s points minus %(per_item)s per item, not below 0") % {
            "weight": weight,
            "per_item": params["per_item"],
        }
    return rule
