"""Where deliberation meets petitions: turning a petition into a topic for deliberation.

deliberation may not import petitions (peers on one floor), so the flow that reads a petition
lives here, in the composing app: the petition is read through petitions' scoped selector
(404 outside the caller's scope) and the topic is raised through deliberation's service,
which checks the actor's post at the petition's grid and links the petition by id.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from deliberation import services as deliberation
from hlgrid.errors import DomainError
from petitions import selectors as petitions


@login_required
def topic_from_petition(request, pk: int):
    petition = petitions.petition_get(user=request.user, pk=pk)
    values = {
        "title": (petition.description or "").strip()[:40],
        "description": petition.description,
    }
    errors: list[str] = []
    if request.method == "POST":
        values = {"title": request.POST.get("title", ""), "description": request.POST.get("description", "")}
        try:
            topic = deliberation.topic_raise(
                actor=request.user,
                node=petition.grid,
                title=values["title"],
                description=values["description"],
                petition_id=petition.pk,
            )
        except DomainError as exc:
            errors = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
        else:
            messages.success(request, _("The topic is raised; a head will screen it."))
            return redirect("deliberation:topic", pk=topic.pk)
    return render(
        request,
        "deliberation/from_petition.html",
        {"petition": petition, "values": values, "errors": errors},
    )
