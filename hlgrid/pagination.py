from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Stable pages over growing tables (no OFFSET scans, no duplicates when rows arrive)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
