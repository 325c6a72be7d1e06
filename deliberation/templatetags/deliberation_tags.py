from django import template

from deliberation import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    """The badge of the menu item: notices are this app's own (it may not use petitions' inbox)."""
    request = context.get("request")
    return selectors.unread_notice_count(user=request.user) if request is not None else 0
