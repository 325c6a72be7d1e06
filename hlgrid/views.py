from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from grids.selectors import user_posts
from hlgrid.health import health


@login_required
def home(request):
    return render(request, "home.html", {"posts": list(user_posts(user=request.user))})


@never_cache
def healthz(request):
    healthy, body = health()
    return JsonResponse(body, status=200 if healthy else 503)
