from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from grids.selectors import user_posts
from hlgrid.health import health
from portal import public
from portal.landing import landing_url


def home(request):
    """Each user's home is where its work is; users without such a post see their posts. A
    visitor without an account gets the residents' front door (portal.public)."""
    if not request.user.is_authenticated:
        return public.public_home(request)
    target = landing_url(request.user)
    if target:
        return redirect(target)
    return my_posts(request)


@login_required
def my_posts(request):
    return render(request, "home.html", {"posts": list(user_posts(user=request.user))})


@never_cache
def healthz(request):
    healthy, body = health()
    return JsonResponse(body, status=200 if healthy else 503)
