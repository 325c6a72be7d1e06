from django import template

from deliberation.policy import LEADING_KINDS
from grids import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_call_meetings(context) -> bool:
    """Whether to offer "Call a meeting": only heads and officials call them (the page is 404 else)."""
    request = context.get("request")
    return request is not None and access.holds(request.user, LEADING_KINDS)
