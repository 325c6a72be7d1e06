"""The settings page of the Open311 clients: list, issue a key (shown once), revoke, restore.

Officials who may read the configuration see the list; administrators and city-level
officials (grids.access.may_configure) issue and revoke keys. Others get 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grids import access
from hlgrid.errors import DomainError
from open311 import services
from open311.models import Open311Client


@login_required
def settings_clients(request):
    if not access.may_view_configuration(request.user):
        raise Http404()
    may_change = access.may_configure(request.user)
    issued = None
    error = ""
    name = ""
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied()
        action = request.POST.get("action", "")
        try:
            if action == "issue":
                name = request.POST.get("name", "")
                client, key = services.open311_client_create(actor=request.user, name=name)
                issued = {"client": client, "key": key}
                name = ""
            elif action in ("revoke", "restore"):
                try:
                    client_id = int(request.POST.get("client", ""))
                except ValueError:
                    raise Http404() from None
                client = services.open311_client_set_active(
                    actor=request.user, client_id=client_id, active=action == "restore"
                )
                messages.success(
                    request,
                    (
                        _("The key of %(name)s was revoked.")
                        if action == "revoke"
                        else _("The key of %(name)s works again.")
                    )
                    % {"name": client.name},
                )
                return redirect("open311:settings_clients")
            else:
                raise Http404()
        except DomainError as failure:
            error = failure.errors.get("name", [failure.detail])[0]
    clients = Open311Client.objects.select_related("created_by").order_by("name", "id")
    return render(
        request,
        "open311/settings_clients.html",
        {"clients": clients, "may_change": may_change, "issued": issued, "error": error, "name": name},
    )
