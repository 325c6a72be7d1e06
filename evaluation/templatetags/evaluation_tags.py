from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def star_string(stars) -> str:
    """★★★☆☆ for 3 stars; a dash when not graded."""
    if not stars:
        return "—"
    return "★" * int(stars) + "☆" * (5 - int(stars))


@register.filter
def grade_badge(grade: str) -> str:
    return {"EXCELLENT": "success", "GOOD": "primary", "PASS": "warning", "FAIL": "danger"}.get(
        grade, "secondary"
    )


@register.simple_tag
def grade_label(assessment) -> str:
    if not assessment.grade:
        return _("Not graded (too little data)")
    return assessment.get_grade_display()


@register.simple_tag(takes_context=True)
def user_is_assessor(context) -> bool:
    from evaluation.policy import is_assessor

    request = context.get("request")
    return bool(request and is_assessor(request.user))


@register.simple_tag
def rule_text(indicator) -> str:
    from evaluation.rules import describe

    return describe(rule=indicator.rule, params=indicator.params, weight=indicator.weight)


@register.filter
def yuan(amount) -> str:
    """12,345.60 — thousands separated, two decimals (the amount is already rounded to the fen)."""
    if amount is None or amount == "":
        return "—"
    return f"{amount:,.2f}"


@register.simple_tag
def coefficient_rows(rule) -> list[tuple[str, str]]:
    """The bonus rule's coefficients in grade order, with the grades' names."""
    from evaluation.models import GRADE_ORDER, Grade

    return [(Grade(grade).label, rule.coefficients.get(grade, "0")) for grade in GRADE_ORDER]


@register.filter
def signed(value) -> str:
    """+3, −1.50, ±0 — a change with its sign ("—" when there is nothing to compare)."""
    if value is None or value == "":
        return "—"
    if value == 0:
        return "±0"
    text = f"{abs(value):,}" if isinstance(value, int) else f"{abs(value):,.2f}"
    return ("+" if value > 0 else "−") + text
