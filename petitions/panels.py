"""Panels that apps above petitions add to a petition's page, without petitions importing them.

An app registers a panel in its AppConfig.ready():

    register_detail_panel("exchange", order_panel)

`order_panel(petition, user)` returns `(template name, context dict)` or None (nothing to
show for this petition). The detail page renders every panel at the end of its side column,
in the order registered. The petition reached the panel through the page's scoped lookup;
a panel that offers actions still checks them through grids.access in its own views.
"""

from collections.abc import Callable

_PANELS: dict[str, Callable] = {}


def register_detail_panel(name: str, panel: Callable) -> None:
    """Register (or replace, so a reloaded app does not register twice) a panel by name."""
    _PANELS[name] = panel


def detail_panels(petition, user) -> list[dict]:
    """The panels to show on this petition's page: [{"template": ..., "context": ...}]."""
    shown = []
    for panel in list(_PANELS.values()):
        answer = panel(petition, user)
        if answer is not None:
            template, context = answer
            shown.append({"template": template, "context": context})
    return shown
