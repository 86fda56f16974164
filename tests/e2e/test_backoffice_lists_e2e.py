"""The back office's trámites list, bulk redrive and audit search over the local runtime (decisions 0094, 0095):
the template's indexes, the functions' own IAM roles (the audit search is the only reader of the audit table),
the operator groups, the CSV export. Trámites are written straight into moto as the exchange stores them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest

from local import exchange_journey as journey
from local import journeys

pytestmark = pytest.mark.e2e

SEED = json.load(open("local/seed/reference-data.json", encoding="utf-8"))  # noqa: SIM115
NIT = [c["nit"] for c in SEED["scenarios"]["free"]["companies"] if c["isCcf"]][-3]


def _tramite(numero: str, estado: str, minute: int) -> dict[str, Any]:
    at = f"2026-11-20T10:{minute:02d}:00.000+00:00"
    return {
        "PK": f"TRAMITE#{numero}", "SK": "PROFILE", "numeroTransaccion": numero, "serialSat": f"SAT-{numero}",
        "ccfNit": NIT, "codigoNovedad": "AFI", "estado": estado, "fechaCreacion": at, "fechaVigencia": "2026-12-31",
        "pullUrl": "https://api.example/sat/solicitud-afiliacion", "notificationId": f"sat-notificacion-{numero}",
        "generation": 0, "attempts": 4, "lastOutcome": "FALLIDA", "createdAt": at, "updatedAt": at,
        "GSI1PK": f"CCF#{NIT}", "GSI1SK": f"TRAMITE#{at}", "GSI2PK": f"TRAMSTATE#{estado}", "GSI2SK": at,
    }  # fmt: skip


def _headers(info: dict[str, Any], group: str | None) -> dict[str, str]:
    login = info["ministry_login"]
    if group is None:
        return journey.ministry_headers(info)
    operator = next(o for o in login["operators"] if o["groups"] == [group])
    return {"Authorization": journey.id_token(info, operator["username"], login["password"])}


def test_lists_bulk_redrive_and_audit_search_through_the_runtime(local_runtime: dict[str, Any]) -> None:
    info = local_runtime
    table = journey._main_table(info)
    for n in range(3):
        table.put_item(Item=_tramite(f"2026112099{n:06d}", "FALLIDA", n))
    table.put_item(Item=_tramite("2026112098000001", "APROBADA", 10))
    admin = _headers(info, None)
    with httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT) as api:
        listed = api.get("/admin/tramites", params={"ccfNit": NIT, "type": "TRAMITE"}, headers=admin)
        assert listed.status_code == 200, listed.text
        assert [i["state"] for i in listed.json()["items"]] == ["APROBADA", "FALLIDA", "FALLIDA", "FALLIDA"]
        failed = api.get("/admin/tramites", params={"state": "FALLIDA", "ccfNit": NIT}, headers=admin).json()
        assert len(failed["items"]) == 3 and failed["nextPageToken"] is None
        assert api.get("/admin/tramites", params={"ccfNit": NIT, "orden": "x"}, headers=admin).status_code == 422

        auditor = _headers(info, "ministerio-auditor")
        assert api.get("/admin/tramites", params={"ccfNit": NIT}, headers=auditor).status_code == 200
        body = {"ccfNit": NIT, "state": "FALLIDA"}
        assert api.post("/admin/tramites/redrive", json=body, headers=auditor).status_code == 403

        exchange = _headers(info, "ministerio-intercambio")
        redriven = api.post("/admin/tramites/redrive", json=body, headers=exchange)
        assert redriven.status_code == 202, redriven.text
        assert (redriven.json()["count"], redriven.json()["remaining"]) == (3, False)
        # The notifications worker may already have failed some again (this CCF has no notification service):
        # those may be redriven again, the ones still pending never; each redrive is one generation.
        again = api.post("/admin/tramites/redrive", json=body, headers=exchange).json()
        twice = set(again["numerosTransaccion"])
        assert twice <= set(redriven.json()["numerosTransaccion"]) and again["count"] == len(twice)
        for numero in redriven.json()["numerosTransaccion"]:
            item = table.get_item(Key={"PK": f"TRAMITE#{numero}", "SK": "PROFILE"})["Item"]
            assert int(item["generation"]) == (2 if numero in twice else 1), (numero, item["generation"])
        assert api.get("/admin/audit", params={"nit": NIT}, headers=exchange).status_code == 403

        found = api.get("/admin/audit", params={"nit": NIT, "action": "TRAMITE_REDRIVEN"}, headers=auditor)
        assert found.status_code == 200, found.text
        entries = found.json()["items"]
        assert len(entries) == 3 + len(twice) and {e["nit"] for e in entries} == {NIT}
        assert all("*" in e["actor"] for e in entries)  # the operator's document, masked
        exported = api.get(
            "/admin/audit", params={"nit": NIT}, headers={**auditor, "Accept": "text/csv"}
        )  # fmt: skip
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert rows[0][:2] == ["at", "action"] and len(rows) >= 1 + 3 + 2  # + the two bulk entries
        assert api.get("/admin/audit", params={"nit": NIT, "x": "1"}, headers=auditor).status_code == 422
