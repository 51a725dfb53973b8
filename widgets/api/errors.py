"""Every error the API can give, in JSON and as the schema says.

- The body: read by `StrictJSONParser`, which refuses a key sent twice (JSON
  leaves it undefined which one counts; we do not guess) and says why a body is
  not JSON. django-ninja answers a body it cannot read with a 400 whose message
  is ours (`http_error` below).
- Paging: `Paging` bounds `offset` by the largest number the database holds, so
  an offset of 2^63 or more is a 422 like any other bad parameter, not a 500.
- What Django refuses before the API runs (a body over
  DATA_UPLOAD_MAX_MEMORY_SIZE: 413) and a database that cannot be reached (503
  with Retry-After) are answered in JSON by config/http.py.
- `document_errors` adds those answers to every operation of the OpenAPI schema,
  with their real shapes: 400, 413 and 503 as `Message`, and 422 as what the
  operation declares or a `ValidationErrors` (the body or a parameter does not
  have the schema's shape).
"""

import json

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser

from .schemas import MAX_ID, MAX_PAGE

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


class BodyRefused(ValueError):
    """A body that is not JSON as the API reads it; the message is for the caller."""


def _refuse_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise BodyRefused(f"The key “{key}” is sent twice; send each key once.")
        seen[key] = value
    return seen


class StrictJSONParser(Parser):
    def parse_body(self, request):
        try:
            return json.loads(request.body, object_pairs_hook=_refuse_duplicates)
        except UnicodeDecodeError as exc:
            raise BodyRefused("The body is not UTF-8 text.") from exc
        except json.JSONDecodeError as exc:
            raise BodyRefused(f"The body is not JSON: {exc.msg} at character {exc.pos}.") from exc


def http_error(api):
    """django-ninja's HttpError answer, with the reason a body was refused."""

    def handler(request, exc):
        detail = str(exc.__cause__) if isinstance(exc.__cause__, BodyRefused) else str(exc)
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    return handler


class Paging(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=MAX_ID)


# --- the schema ---------------------------------------------------------------------

MESSAGE = {"$ref": "#/components/schemas/Message"}
VALIDATION_ERRORS = {
    "title": "ValidationErrors",
    "type": "object",
    "description": "The body or a parameter does not have the schema's shape.",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                },
                "required": ["type", "loc", "msg"],
            },
        }
    },
    "required": ["detail"],
}
COMMON = {
    "400": "The request cannot be read: the body is not JSON, or sends a key twice.",
    "413": "The body is larger than the API reads.",
    "429": "Too many calls with this token: try again after Retry-After seconds.",
    "503": "The database is unavailable for a moment: try again after Retry-After seconds.",
}


def _json(schema):
    return {"application/json": {"schema": schema}}


def document_errors(schema):
    """Add the errors every operation can give to an OpenAPI schema (a dict)."""
    schema["components"]["schemas"]["ValidationErrors"] = VALIDATION_ERRORS
    schema["components"]["schemas"].setdefault(
        "Message",
        {
            "title": "Message",
            "type": "object",
            "properties": {"detail": {"title": "Detail", "type": "string"}},
            "required": ["detail"],
        },
    )
    validation = {"$ref": "#/components/schemas/ValidationErrors"}
    for methods in schema["paths"].values():
        for operation in methods.values():
            responses = operation["responses"]
            for code in [c for c in responses if not isinstance(c, str)]:
                responses[str(code)] = responses.pop(code)  # one spelling, as JSON has it
            for code, description in COMMON.items():
                if code == "413" and "requestBody" not in operation:
                    continue
                responses.setdefault(code, {"description": description})
                responses[code]["content"] = _json(MESSAGE)
            responses["503"]["headers"] = responses["429"]["headers"] = RETRY_AFTER
            declared = responses.get("422", {}).get("content", {}).get("application/json")
            shapes = [validation] + ([declared["schema"]] if declared else [])
            responses["422"] = {
                "description": "A parameter or the body breaks the schema or the rules.",
                "content": _json({"anyOf": shapes} if len(shapes) > 1 else validation),
            }
    return schema
