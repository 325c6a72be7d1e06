"""Check a real API answer against the project's own OpenAPI schema (drf-spectacular).

`Schema(client)` fetches `/api/schema/` once; `schema.check(path, method, response)` validates
the answer's JSON against what the operation documents for its status code, with jsonschema,
and raises `AssertionError` naming every mismatch (a null where a string is declared, a
missing required field, a wrong type). `schema.check_component(name, data)` validates data
against one component (`Petition`, `Building`, ...).

OpenAPI 3.0 writes "may be null" as `nullable: true`, which JSON Schema does not know; the
schema is translated once (`nullable` → `anyOf [..., null]`), so a null passes exactly where
the schema says it may.
"""

import jsonschema

SCHEMA_URL = "/api/schema/"


def json_schema(node):
    """An OpenAPI 3.0 schema object translated to JSON Schema (2020-12)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    nullable = node.get("nullable") is True  # a bool: a property *named* "nullable" is a dict
    translated = {
        key: (
            {name: json_schema(sub) for name, sub in value.items()}
            if key in ("properties", "patternProperties", "$defs")
            else json_schema(value)
        )
        for key, value in node.items()
        if not (key == "nullable" and isinstance(value, bool))
    }
    if nullable:
        return {"anyOf": [translated, {"type": "null"}]}
    return translated


class Schema:
    def __init__(self, client):
        response = client.get(SCHEMA_URL, {"format": "json"})
        assert response.status_code == 200, response.content[:300]
        self.document = response.json()
        self.components = json_schema(self.document.get("components", {}))

    def _validate(self, schema: dict, data, where: str) -> None:
        root = {**json_schema(schema), "components": self.components}
        validator = jsonschema.Draft202012Validator(root)
        problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if problems:
            lines = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in problems[:20]]
            raise AssertionError(f"{where} does not match the schema:\n  " + "\n  ".join(lines))

    def operation(self, path: str, method: str = "get") -> dict:
        try:
            return self.document["paths"][path][method.lower()]
        except KeyError:
            raise AssertionError(f"{method.upper()} {path} is not in the schema") from None

    def response_schema(self, path: str, method: str, status: int) -> dict:
        responses = self.operation(path, method)["responses"]
        answer = responses.get(str(status))
        assert answer is not None, f"{method.upper()} {path} does not document {status}"
        content = answer.get("content", {}).get("application/json")
        assert content is not None, f"{method.upper()} {path} {status} documents no JSON body"
        return content["schema"]

    def check(self, path: str, method: str, response) -> None:
        """`path` is the schema's template (`/api/v1/petitions/{id}/`), `response` a test answer.

        A file (a bulletin's PDF, an .xlsx) matches when its media type is the one documented."""
        media = response.get("Content-Type", "").split(";")[0].strip()
        if media and media != "application/json":
            answer = self.operation(path, method)["responses"].get(str(response.status_code)) or {}
            documented = set(answer.get("content", {}))
            assert media in documented, (
                f"{method.upper()} {path} answers {media}, documents {sorted(documented)}"
            )
            return
        schema = self.response_schema(path, method, response.status_code)
        self._validate(schema, response.json(), f"{method.upper()} {path} {response.status_code}")

    def check_component(self, name: str, data) -> None:
        assert name in self.components.get("schemas", {}), f"no component {name}"
        self._validate({"$ref": f"#/components/schemas/{name}"}, data, f"component {name}")
