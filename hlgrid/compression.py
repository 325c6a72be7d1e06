"""Pages compressed on their way to a phone on 4G (issue 16); the API left as it is.

The API's clients are programs (the 12345 platforms, Open311 clients, the offline outbox's
small JSON answers) and schema tools driving the WSGI app directly, several of which send
`Accept-Encoding: gzip` but do not decode a compressed body; in production a proxy in front
may compress them for whoever negotiates it. Pages are what a worker downloads on every tap.
Django's gzip pads each response against BREACH (the pages carry CSRF tokens).
"""

from django.middleware.gzip import GZipMiddleware

from hlgrid.throttles import API_PREFIX


class PageGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if request.path.startswith(API_PREFIX) or request.path.startswith("/open311/"):
            return response
        return super().process_response(request, response)
