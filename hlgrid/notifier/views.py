"""The public opt-out page (退订) that every SMS links to: /n/stop/<signed token>/.

GET shows what will happen and a button (a link scanner opening the URL changes nothing);
POST records the opt-out. A forged or altered token is a 404.
"""

from django.http import Http404
from django.shortcuts import render

from hlgrid.errors import NotFound
from hlgrid.notifier.services import delivery_from_stop_token, is_opted_out, optout_by_token


def stop(request, token: str):
    try:
        delivery = delivery_from_stop_token(token)
    except NotFound:
        raise Http404 from None
    done = False
    if request.method == "POST":
        optout_by_token(token=token)
        done = True
    else:
        done = is_opted_out(channel=delivery.channel, address_hash=delivery.address_hash)
    return render(
        request,
        "notify/stop.html",
        {"hint": delivery.address_hint, "channel": delivery.get_channel_display(), "done": done},
    )
