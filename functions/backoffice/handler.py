"""Entry point of the back-office function: GET /admin/audit (decision 0095); the rules are in audit_search.py.

Admits `ministerio` and `ministerio-auditor`, checked live (sat_common.ministry, decision 0029). With
`Accept: text/csv` the same search is a CSV file; each export is itself an audit entry.
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from backoffice import audit_search
from backoffice.config import settings
from backoffice.models import AuditPage
from sat_common import audit, keys, ministry
from sat_common.api import create_resolver, json_response, lambda_entry, request_actor, request_caller
from sat_common.listing import reject_unknown_query
from sat_common.operator_groups import AUDITOR

app = create_resolver()

ADMIN_TAG = ["Auditoría (Ministerio)"]
CSV = "text/csv"


@app.get(
    "/admin/audit",
    summary="Buscar en el registro de auditoría por NIT, documento o acción (paginado; CSV con Accept: text/csv)",
    description="Al menos uno de nit, documentNumber o action; from/to en ISO 8601, máximo un año. Los documentos "
    "se muestran enmascarados salvo el buscado y nunca se muestran correos. Con `Accept: text/csv` responde un "
    "archivo CSV UTF-8 de hasta 5.000 filas; si hay más, la cabecera X-Next-Page-Token permite continuar.",
    tags=ADMIN_TAG,
    responses={
        200: {
            "description": "Entradas del registro de auditoría (JSON) o el archivo CSV",
            "content": {"application/json": {"model": AuditPage}, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def search_audit(
    nit: Annotated[str | None, Query(pattern=r"^[0-9]{9}$", description="NIT (9 dígitos, sin DV)")] = None,
    documentNumber: Annotated[
        str | None, Query(pattern=r"^[0-9A-Za-z]{3,20}$", description="Número de documento (sin tipo)")
    ] = None,
    action: Annotated[str | None, Query(pattern=r"^[A-Z][A-Z0-9_]{2,63}$", description="Acción")] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=40, description="Desde (ISO 8601)")] = None,
    to: Annotated[str | None, Query(max_length=40, description="Hasta (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página")] = 50,
    pageToken: Annotated[str | None, Query(min_length=1, max_length=2048, description="nextPageToken")] = None,
) -> Response[Any]:  # JSON (AuditPage) or CSV text
    caller = request_caller(app)
    ministry.require_operator(caller, AUDITOR)
    reject_unknown_query(app.current_event.raw_event, audit_search.QUERY_PARAMETERS)
    selected = audit_search.filters(nit, documentNumber, action, from_, to)
    if CSV in (app.current_event.headers.get("accept") or app.current_event.headers.get("Accept") or "").lower():
        return _export(selected, pageToken, caller.username)
    body = audit_search.search(settings(), selected, limit, pageToken)
    return json_response(AuditPage.model_validate(body).model_dump(mode="json"))


def _export(selected: audit_search.Filters, token: str | None, username: str) -> Response[Any]:
    text, rows, next_token = audit_search.export(settings(), selected, token)
    audit.record(
        settings().audit_table_name,
        keys.person(username),
        "AUDIT_EXPORTED",
        request_actor(app, request_caller(app)),
        {"filters": selected.described(), "rows": rows, "truncated": next_token is not None},
    )
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": 'attachment; filename="auditoria.csv"',
        "X-Content-Type-Options": "nosniff",
    }
    if next_token:
        headers["X-Next-Page-Token"] = next_token
    return Response(status_code=200, content_type=f"{CSV}; charset=utf-8", body=text, headers=headers)


lambda_handler = lambda_entry(app)
