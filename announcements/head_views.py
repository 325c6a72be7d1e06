"""A 楼栋长's or 单元长's relay of a notice to its micro-grid's chat groups, from its phone."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from announcements.models import Relay
from announcements.relay import RELAY_TEXT_MAX, head_relay
from announcements.selectors import announcements_for_grid
from hlgrid.errors import DomainError
from hlgrid.ids import parse_id
from residents.heads import head_chat_groups, head_or_404


@login_required
def relay(request):
    account = head_or_404(request.user)
    error, done = None, None
    text = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        chosen = parse_id(request.POST.get("announcement") or "")
        try:
            done = head_relay(actor=request.user, announcement=chosen, text=text)
        except DomainError as problem:
            error = "; ".join(m for ms in problem.errors.values() for m in ms) or problem.detail
        else:
            text = ""
    return render(
        request,
        "announcements/head_relay.html",
        {
            "account": account,
            "announcements": announcements_for_grid(grid=account.grid, limit=20),
            "groups": list(head_chat_groups(account=account)),
            "recent": Relay.objects.filter(account=account).order_by("-created_at", "-pk")[:5],
            "text": text,
            "text_max": RELAY_TEXT_MAX,
            "error": error,
            "done": done,
            "done_message": _("Sent to %(n)s group(s).") % {"n": done.groups} if done else "",
        },
    )
