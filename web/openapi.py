"""The JSON API's error answers in /openapi.json: every /api/ error is {"code", "message"} (ErrorPublic).

FastAPI documents only 200 and its own 422 shape, while the app answers errors through its handlers
(web/app.py). The document is completed here from what each operation can answer: 422 for invalid parameters
or body, 400 for an unreadable body, 404 where the path names a record, 401/403 where an API token is required
(its `security`), and the ErrorPublic shape for every 4xx, declared ones included.
"""
from __future__ import annotations

from fastapi import FastAPI

from schemas.catalogue import ErrorPublic

ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorPublic"}}}
DESCRIPTIONS = {
    "400": "The body could not be read (not JSON, or not UTF-8)",
    "401": "No API token, or one that is unknown, expired or revoked (Authorization: Bearer …)",
    "403": "The token's role may not do this",
    "404": "No such record, or one that is not public",
    "422": "Invalid parameters or body; the message names the field",
}


def _codes(operation: dict) -> list[str]:
    codes = ["422"] if operation.get("parameters") or operation.get("requestBody") else []
    if operation.get("requestBody"):
        codes.append("400")
    if any(p.get("in") == "path" for p in operation.get("parameters", ())):
        codes.append("404")
    if operation.get("security"):
        codes += ["401", "403"]
    return codes


def complete(schema: dict) -> dict:
    """`schema` with the API's error answers; applying it twice changes nothing."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorPublic"] = ErrorPublic.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in _codes(operation):
                responses.setdefault(code, {})
            for code, response in responses.items():
                if code.startswith("4"):
                    if code == "422" or not response.get("description"):
                        response["description"] = DESCRIPTIONS.get(code, "Refused")
                    response["content"] = ERROR_CONTENT  # FastAPI's 422 shape ({"detail": […]}) is not ours
    used = str(schema["paths"])
    if "HTTPValidationError" not in used:
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
    return schema


def document_errors(app: FastAPI) -> None:
    """Make app.openapi() describe the API's error answers as the handlers send them."""
    generate = app.openapi

    def openapi() -> dict:
        return complete(generate())

    app.openapi = openapi
