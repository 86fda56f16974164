"""A service's OpenAPI document as plain data for a server-rendered, accessible page (manual §6 "Ver información
de servicio", Paso 2): operations, parameters, request and response schemas as rows, examples as formatted JSON.
Swagger UI (1.9 MB of JavaScript) is not embedded: the portal has no script and pages stay under 150 KB
(decision 0085). The document comes from the API; nothing in it is trusted as HTML (the templates escape it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
MAX_DEPTH = 6  # nested objects shown; deeper ones are named only
MAX_ROWS = 200  # per schema: a hostile or huge document cannot make a page of megabytes
MAX_EXAMPLE_CHARS = 6000
TYPE_NAMES = {
    "string": "texto",
    "integer": "entero",
    "number": "número",
    "boolean": "booleano",
    "object": "objeto",
    "array": "lista",
    "null": "nulo",
}


@dataclass(frozen=True)
class Row:
    name: str  # dotted path, "[]" for list items
    type: str
    required: bool
    description: str
    rules: str  # enum, pattern, lengths, format


@dataclass
class Body:
    content_type: str
    rows: list[Row] = field(default_factory=list)
    example: str = ""


@dataclass
class Response:
    status: str
    description: str
    body: Body | None = None


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    type: str
    description: str


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    operation_id: str
    parameters: list[Parameter] = field(default_factory=list)
    request: Body | None = None
    responses: list[Response] = field(default_factory=list)


@dataclass
class View:
    title: str
    version: str
    description: str
    servers: list[str]
    security: list[str]
    operations: list[Operation]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int = 2000) -> str:
    return str(value)[:limit] if isinstance(value, (str, int, float)) else ""


def _resolve(document: dict[str, Any], schema: Any, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    """A local $ref ("#/components/...") followed; returns the schema and the name it was reached by."""
    name = ""
    for _ in range(10):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        ref = str(schema["$ref"])
        if not ref.startswith("#/") or ref in seen:
            return {}, ref.rsplit("/", 1)[-1]
        seen = (*seen, ref)
        name = ref.rsplit("/", 1)[-1]
        target: Any = document
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, dict) else None
        schema = target
    return (schema if isinstance(schema, dict) else {}), name


def _type(schema: dict[str, Any], ref_name: str) -> str:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    words = [TYPE_NAMES.get(str(k), str(k)) for k in kinds]
    if not words and "properties" in schema:
        words = ["objeto"]
    if schema.get("nullable") is True:
        words.append("nulo")
    text = " o ".join(words) or "cualquiera"
    return f"{text} ({ref_name})" if ref_name else text


def _rules(schema: dict[str, Any]) -> str:
    parts = []
    if isinstance(schema.get("enum"), list):
        parts.append("valores: " + ", ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"][:30]))
    for key, label in (
        ("format", "formato"),
        ("pattern", "patrón"),
        ("minLength", "longitud mínima"),
        ("maxLength", "longitud máxima"),
        ("minimum", "mínimo"),
        ("maximum", "máximo"),
        ("minItems", "mínimo de elementos"),
        ("maxItems", "máximo de elementos"),
    ):
        if key in schema and isinstance(schema[key], (str, int, float)):
            parts.append(f"{label}: {schema[key]}")
    return "; ".join(parts)[:500]


def schema_rows(document: dict[str, Any], schema: Any) -> list[Row]:
    """Each property of the schema (nested objects and list items too) as one row."""
    rows: list[Row] = []

    def walk(node: Any, prefix: str, required: bool, depth: int, seen: tuple[str, ...]) -> None:
        resolved, ref_name = _resolve(document, node, seen)
        if ref_name:
            seen = (*seen, ref_name)
        if prefix:
            rows.append(
                Row(prefix, _type(resolved, ref_name), required, _text(resolved.get("description")), _rules(resolved))
            )
        if len(rows) >= MAX_ROWS or depth >= MAX_DEPTH:
            return
        properties = resolved.get("properties")
        if isinstance(properties, dict):
            needed = set(resolved.get("required") or []) if isinstance(resolved.get("required"), list) else set()
            for name, child in properties.items():
                if len(rows) >= MAX_ROWS:
                    return
                if isinstance(child, dict) and str(child.get("$ref", "")).rsplit("/", 1)[-1] in seen:
                    rows.append(
                        Row(f"{prefix}.{name}" if prefix else str(name), "objeto (recursivo)", name in needed, "", "")
                    )
                    continue
                walk(child, f"{prefix}.{name}" if prefix else str(name), name in needed, depth + 1, seen)
        items = resolved.get("items")
        if isinstance(items, dict):
            walk(items, f"{prefix}[]" if prefix else "[]", False, depth + 1, seen)

    walk(schema, "", False, 0, ())
    return rows[:MAX_ROWS]


def _example(media: dict[str, Any]) -> str:
    if "example" in media:
        value = media["example"]
    elif isinstance(media.get("examples"), dict) and media["examples"]:
        first = next(iter(media["examples"].values()))
        value = first.get("value") if isinstance(first, dict) else first
    else:
        return ""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text if len(text) <= MAX_EXAMPLE_CHARS else text[:MAX_EXAMPLE_CHARS] + "\n…"


def _body(document: dict[str, Any], holder: Any) -> Body | None:
    holder, _ = _resolve(document, holder)
    content = holder.get("content")
    if not isinstance(content, dict) or not content:
        return None
    content_type, media = next(iter(content.items()))
    media = media if isinstance(media, dict) else {}
    return Body(str(content_type)[:100], schema_rows(document, media.get("schema")), _example(media))


def _parameters(document: dict[str, Any], items: Any) -> list[Parameter]:
    out = []
    for item in items if isinstance(items, list) else []:
        resolved, _ = _resolve(document, item)
        schema, ref_name = _resolve(document, resolved.get("schema"))
        out.append(
            Parameter(
                _text(resolved.get("name"), 100),
                _text(resolved.get("in"), 20),
                resolved.get("required") is True,
                _type(schema, ref_name),
                _text(resolved.get("description")),
            )
        )
    return out


def build(document: dict[str, Any]) -> View:
    info = _dict(document.get("info"))
    servers = [_text(s.get("url"), 300) for s in document.get("servers") or [] if isinstance(s, dict)]
    schemes = _dict(_dict(document.get("components")).get("securitySchemes"))
    security = [
        f"{name}: {_text(s.get('type'))} {_text(s.get('scheme'))} — {_text(s.get('description'))}".strip(" —")
        for name, s in schemes.items()
        if isinstance(s, dict)
    ]
    operations: list[Operation] = []
    paths = _dict(document.get("paths"))
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters")
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            responses = []
            for status, answer in (operation.get("responses") or {}).items():
                resolved, _ = _resolve(document, answer)
                responses.append(Response(str(status), _text(resolved.get("description")), _body(document, resolved)))
            operations.append(
                Operation(
                    method=method.upper(),
                    path=str(path)[:300],
                    anchor=f"operacion-{len(operations) + 1}",
                    summary=_text(operation.get("summary")),
                    description=_text(operation.get("description")),
                    operation_id=_text(operation.get("operationId"), 100),
                    parameters=_parameters(document, shared) + _parameters(document, operation.get("parameters")),
                    request=_body(document, operation.get("requestBody")),
                    responses=responses,
                )
            )
    return View(
        title=_text(info.get("title"), 200),
        version=_text(info.get("version"), 50),
        description=_text(info.get("description")),
        servers=servers,
        security=security,
        operations=operations,
    )
