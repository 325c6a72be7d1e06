"""The deployment's name on every page (a province's office names its own; Helong's by default).

`SITE_NAME` and `SITE_SHORT_NAME` (settings, from the environment) replace the translated
defaults in the title, the brand and the footer; unset, each language has Helong's.
"""

from django import template
from django.conf import settings
from django.utils.translation import gettext, gettext_noop

register = template.Library()

DEFAULTS = {
    "full": gettext_noop("Helong Grid Governance"),
    "short": gettext_noop("Helong Grid"),
    "footer": gettext_noop("Helong City grid-based community governance"),
}


def site_name_of(kind: str = "full") -> str:
    configured = settings.SITE_SHORT_NAME if kind == "short" else settings.SITE_NAME
    return configured or gettext(DEFAULTS[kind])


@register.simple_tag
def site_name(kind: str = "full") -> str:
    return site_name_of(kind)
