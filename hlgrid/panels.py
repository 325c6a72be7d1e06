"""Panels that apps on higher floors add to a lower app's detail page, without the lower app
importing them (petitions' petition and whistle pages, deliberation's resolution page).

An app registers a panel for a subject in its AppConfig.ready():

    register_panel("petition", "exchange", order_panel)

`order_panel(obj, user)` returns `(template name, context dict)` or None (nothing to show for
this object). The page renders every panel of its subject in its side column, in the order
registered. The object reached the panel through the page's scoped lookup; a panel that offers
actions still checks them through grids.access in its own views.
"""

from collections.abc import Callable

_PANELS: dict[str, dict[str, Callable]] = {}


def register_panel(subject: str, name: str, panel: Callable) -> None:
    """Register (or replace, so a reloaded app does not register twice) a subject's panel by name."""
    _PANELS.setdefault(subject, {})[name] = panel


def panels_for(subject: str, obj, user) -> list[dict]:
    """The panels to show on this object's page: [{"template": ..., "context": ...}]."""
    shown = []
    for panel in list(_PANELS.get(subject, {}).values()):
        answer = panel(obj, user)
        if answer is not None:
            template, context = answer
            shown.append({"template": template, "context": context})
    return shown
