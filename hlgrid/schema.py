"""The OpenAPI schema documents the errors every operation can answer, not only its own.

Each view documents what its use case answers (a 409 for a transition, a 429 for a
throttle). Some answers come from the machinery around every view instead, and a schema
that leaves them out disagrees with the API (a client generated from it, or schemathesis,
meets status codes it was told do not exist):

- 401 with `WWW-Authenticate`: no credentials, or a bad token, on an operation that takes
  them (DRF's authentication, hlgrid.settings);
- 403: credentials without the permission (a post of the wrong kind), or a session call
  without its CSRF token;
- 400: input that does not validate (a filter value that names nothing, a bad body);
- 404: an id in the path that does not exist or is outside the caller's scope, or a page
  cursor that names no page.

`document_errors` (a drf-spectacular postprocessing hook) adds each of these, with the one
error shape, to every operation where it can happen and that does not document it already.
"""

ERROR_REF = {"$ref": "#/components/schemas/Error"}
# The shape of hlgrid.api.ErrorSerializer, for a schema in which no view names it.
ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "errors"],
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with (Token)",
        "required": True,
        "schema": {"type": "string"},
    }
}
METHODS = ("get", "put", "post", "patch", "delete")


def _error(description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
    if headers:
        response["headers"] = headers
    return response


def _answers(operation: dict) -> dict[str, dict]:
    """The error answers the machinery around the view can give to this operation."""
    parameters = operation.get("parameters", [])
    schemes = [requirement for requirement in operation.get("security", []) if requirement]
    answers = {}
    if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
        answers["400"] = _error("Invalid input")
    if schemes:
        answers["401"] = _error("Authentication required, or a bad token", WWW_AUTHENTICATE)
        answers["403"] = _error("Not allowed with your posts (or a session call without its CSRF token)")
    if any(p.get("in") == "path" for p in parameters):
        answers["404"] = _error("Not found or outside your scope")
    elif any(p.get("in") == "query" and p.get("name") == "cursor" for p in parameters):
        # DRF's cursor pagination answers a cursor it cannot read as a page that does not exist.
        answers["404"] = _error("No such page (an invalid cursor)")
    return answers


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", ERROR_COMPONENT)
    for path_item in result.get("paths", {}).values():
        for method in METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, answer in _answers(operation).items():
                responses.setdefault(status, answer)
            operation["responses"] = dict(sorted(responses.items()))
    return result
