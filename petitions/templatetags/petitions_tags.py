from django import template
from django.utils.translation import gettext_lazy as _

from hlgrid.crypto import mask_name as _mask_name
from hlgrid.templatetags.icons import icon_name
from petitions.models import Source, Status

register = template.Library()

ACTIONS = {
    "intake": _("Taken in"),
    "climb": _("Overdue: escalated to"),
    "verify": _("Verified"),
    "reject": _("Rejected"),
    "merge": _("Merged as duplicate"),
    "merged_in": _("A duplicate was merged in"),
    "join": _("A resident met it too and joined"),
    "classify": _("Classified and assigned"),
    "escalate": _("Handed up"),
    "note": _("Progress note"),
    "resolve": _("Resolved"),
    "request_pause": _("Pause requested"),
    "request_extend": _("Extension requested"),
    "deny_pause": _("Pause denied"),
    "deny_extend": _("Extension denied"),
    "pause": _("Paused"),
    "resume": _("Resumed"),
    "extend": _("Deadline extended"),
    "return": _("Returned by the department"),
    "reopen": _("Reopened after the callback"),
    "close": _("Closed after the callback"),
    "whistle": _("Whistle blown"),
    "reschedule": _("Deadline moved by the working calendar"),
    "regrid": _("Moved to another grid (map redrawn)"),
    "take_over": _("Taken over by the level it climbed to"),
    "rejudge": _("Judgement revised"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


@register.filter
def rung_label(rung: str) -> str:
    from petitions.models import Rung

    return str(Rung(rung).label) if rung in Rung.values else rung


@register.filter
def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


@register.filter
def satisfaction_label(value: str) -> str:
    from petitions.models import Satisfaction

    return str(Satisfaction(value).label) if value in Satisfaction.values else value


@register.filter
def mask_name(value: str) -> str:
    return _mask_name(value)


@register.filter
def grant_verb(kind: str) -> str:
    return {"pause": "pause", "extend": "extend"}.get(kind, kind)


SOURCE_ICONS = {
    Source.RESIDENT: icon_name("globe"),
    Source.VISIT: icon_name("house-door"),
    Source.HOTLINE: icon_name("telephone"),
    Source.WINDOW: icon_name("shop-window"),
    Source.WALK_IN: icon_name("door-open"),
    Source.PARTNER: icon_name("headset"),
}


@register.inclusion_tag("petitions/_source.html")
def source_badge(source: str) -> dict:
    """The channel a petition came in by: its icon and its name."""
    label = Source(source).label if source in Source.values else source
    return {"source": source, "icon": SOURCE_ICONS.get(source, icon_name("inbox")), "label": label}
