"""`{% icon NAME %}`: one icon of the SVG sprite (built by `make assets` from bootstrap-icons).

The sprite holds only the icons the templates name: `frontend/build.mjs` collects every icon
tag with a quoted name in the templates, and every icon_name call with a quoted name in the
Python sources (a name chosen in code, e.g. a petition's channel). The tag is a builtin (hlgrid/settings.py
TEMPLATES), so templates need no `{% load %}`.

    {% icon "sun" %}
    {% icon "heart-fill" class="text-danger" %}
    {% icon "image" class="text-secondary" label=_("Photo") %}   {# a labelled icon, not hidden #}
"""

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "dist/icons.svg"


@functools.cache
def sprite_url() -> str:
    """The sprite's URL, looked up once per process: a page draws dozens of icons, and each
    lookup in the static files' manifest costs as much as drawing the icon."""
    return static(SPRITE)


@receiver(setting_changed)
def _forget_sprite_url(*, setting, **kwargs):
    if setting in {"STATIC_URL", "STORAGES"}:
        sprite_url.cache_clear()


def icon_name(name: str) -> str:
    """Marks a name chosen in Python code for the sprite (the build scans for this call)."""
    return name


@register.simple_tag
def icon(name: str, *, label: str = "", **attrs) -> str:
    """An inline <svg> that uses the sprite's symbol `name`; decorative unless it has a label."""
    css = " ".join(filter(None, ["hl-icon", attrs.pop("class", "")]))
    href = f"{sprite_url()}#{name}"
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}"><title>{}</title><use href="{}"></use></svg>',
            css,
            label,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', css, href
    )
