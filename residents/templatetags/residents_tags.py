import datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hlgrid import lights
from hlgrid.lights import Light

register = template.Library()

_LIGHT_CLASSES = {Light.RED: "hl-light-red", Light.YELLOW: "hl-light-yellow", Light.GREEN: "hl-light-green"}


@register.simple_tag
def light_badge(value):
    """A coloured dot and the light's name (the annotated `light` of a key membership)."""
    value = value or Light.GREEN
    return format_html(
        '<span class="hl-light {}" data-testid="light" data-light="{}">{}</span>',
        _LIGHT_CLASSES.get(value, ""),
        value,
        Light(value).label,
    )


@register.filter
def age(birth_date: datetime.date | None) -> int | str:
    if not birth_date:
        return ""
    today = lights.today()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@register.filter
def days_overdue(due: datetime.date) -> int:
    return (lights.today() - due).days


@register.simple_tag
def sex_label(value: str) -> str:
    return _("Male") if value == "M" else _("Female")
