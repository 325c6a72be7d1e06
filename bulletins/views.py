"""The bulletins' pages: the archive (scoped), one bulletin, its PDF and its .xlsx; thin."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bulletins import render as rendering
from bulletins import selectors, services
from bulletins.models import Kind
from grids.access import covers
from grids.models import GridNode
from hlgrid import xlsx
from hlgrid.errors import DomainError, Forbidden, InvalidInput, NotFound
from hlgrid.ids import parse_id

PAGE_SIZE = 30
PDF_CACHE_SECONDS = 24 * 3600


def _archive(request, *, error=None, status=200):
    nodes = selectors.bulletin_nodes(user=request.user)
    node_id = parse_id(request.GET.get("node"))
    kind = request.GET.get("kind", "")
    page = Paginator(
        selectors.bulletin_list(user=request.user, node_id=node_id, kind=kind), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("node", node_id or ""), ("kind", kind)) if v)
    may_generate = any(covers(request.user, n, kinds=services.GENERATING_KINDS) for n in nodes[:1])
    return render(
        request,
        "bulletins/archive.html",
        {
            "nodes": nodes,
            "node_id": node_id,
            "kind": kind,
            "kinds": Kind.choices,
            "bulletins": page.object_list,
            "page": page,
            "query": query,
            "may_generate": may_generate,
            "default_day": timezone.localdate() - datetime.timedelta(days=7),
            "error": error,
        },
        status=status,
    )


@login_required
def archive(request):
    return _archive(request)


@login_required
@require_POST
def generate(request):
    try:
        node_id = parse_id(request.POST.get("node"))
        node = GridNode.objects.filter(pk=node_id).first() if node_id else None
        if node is None:
            raise NotFound()
        raw_day = request.POST.get("day") or ""
        try:
            day = datetime.date.fromisoformat(raw_day) if raw_day else None
        except ValueError:
            raise InvalidInput.field("day", _("Enter a date as YYYY-MM-DD.")) from None
        bulletin = services.bulletin_generate(
            actor=request.user, node=node, kind=request.POST.get("kind", ""), day=day
        )
    except NotFound:  # outside the actor's scope: the page's 404, never a form error
        raise Http404 from None
    except Forbidden as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except DomainError as exc:
        return _archive(request, error=exc.detail, status=400)
    return redirect("bulletins:detail", pk=bulletin.pk)


@login_required
def detail(request, pk: int):
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return render(request, "bulletins/detail.html", rendering.document(bulletin))


@login_required
def pdf(request, pk: int):
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return pdf_response(bulletin)


@login_required
def workbook(request, pk: int):
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return xlsx.response(rendering.workbook(bulletin), rendering.filename(bulletin, "xlsx"))


def pdf_response(bulletin) -> HttpResponse:
    """The PDF, laid out once per bulletin and language (a snapshot never changes) and then
    served from the cache: laying out CJK text and subsetting its font takes seconds."""
    key = f"bulletins:pdf:{bulletin.pk}:{translation.get_language()}"
    content = cache.get(key)
    if content is None:
        content = rendering.pdf(bulletin)
        cache.set(key, content, PDF_CACHE_SECONDS)
    answer = HttpResponse(content, content_type="application/pdf")
    answer["Content-Disposition"] = xlsx.content_disposition(rendering.filename(bulletin, "pdf"))
    return answer
