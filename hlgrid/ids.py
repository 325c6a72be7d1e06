"""Ids in URLs: a malformed one names nothing, so it is a 404 before any view runs.

Django's `int` converter (pages) and the API router (hlgrid.api.Router) already refuse what is
not digits ("abc", "1.5", "-1"). What they let through is a number too large for a bigint
column: handed to the database it is an error (DataError on PostgreSQL, OverflowError on
SQLite), not "no such row". `IdRangeMiddleware` answers 404 for it, for every route at once.
"""

from django.http import Http404

# The largest id a BigAutoField can hold.
MAX_ID = 2**63 - 1


def in_range(value: int) -> bool:
    return 0 <= value <= MAX_ID


def parse_id(value) -> int | None:
    """An id from a query string or a form field; None for anything no row can have."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


class IdRangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and not in_range(value):
                raise Http404
        return None
