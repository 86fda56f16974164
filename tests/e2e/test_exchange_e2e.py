"""Issue 6 end to end over the local runtime with the sample CCF system (examples/sample_ccf) on 127.0.0.1.

An authorized person shares the sample CCF's endpoint and OAuth credentials and verifies it (part A's routes);
the Ministry files a trámite; the CCF receives the signed notification (verified with the JWKS), pulls and
decrypts the request, answers approved: the trámite ends APROBADA and the employer gets the e-mail. Then the
endpoint is stopped: a second trámite is retried until it is dead-lettered (FALLIDA); the endpoint comes
back, the Ministry redrives, and it completes. The CCF's world before the exchange (registered company and
authorized person, issues 4/5) is written into moto by local.exchange_journey; it uses `free` seed entities.
"""

import json

import httpx
import pytest

from examples.sample_ccf import Config, SampleCcf
from local import exchange_journey as journey
from local import journeys
from local.testing import free_port

pytestmark = pytest.mark.e2e

SEED = json.load(open("local/seed/reference-data.json", encoding="utf-8"))  # noqa: SIM115
FREE = SEED["scenarios"]["free"]
NIT = [c["nit"] for c in FREE["companies"] if c["isCcf"]][-2]
EMPLOYER_NIT = [c["nit"] for c in FREE["companies"] if not c["isCcf"]][-1]
AUTHORIZED = FREE["people"][-61]
LEGAL_REP = FREE["people"][-62]
PERSON_PASSWORD = "una frase larga para la caja de prueba"
CONSUMER_PASSWORD = "los sistemas integrados consumen servicios web"
EMPLOYER_EMAIL = "empleador-e2e@example.com"


def test_round_trip_then_dead_letter_and_redrive(local_runtime):
    info = local_runtime
    api = httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT)
    ministry = journey.ministry_headers(info)
    person = journey.prepare_ccf_world_directly_in_moto(info, NIT, AUTHORIZED, PERSON_PASSWORD)
    client_ids = journey.activate_and_assign(api, ministry, person, NIT, CONSUMER_PASSWORD)

    jwks = api.get("/.well-known/jwks.json")
    assert jwks.status_code == 200 and jwks.json()["keys"][0]["alg"] == "RS256"

    config = Config(
        port=free_port(), api_url=info["api_url"], pull_client_id=client_ids["solicitud-afiliacion"],
        answer_client_id=client_ids["respuesta-tramite-ccf"], password=CONSUMER_PASSWORD,
    )  # fmt: skip
    ccf = SampleCcf(config).start()
    try:
        shared = journey.share_notification_endpoint(api, person, NIT, ccf)
        assert shared["status"] == "AUTHORIZED", shared

        waiter = journey.Waiter(api, ministry)
        request = journey.tramite_request(NIT, EMPLOYER_NIT, LEGAL_REP, EMPLOYER_EMAIL)
        filed = api.post("/admin/tramites", json=request, headers=ministry)
        assert filed.status_code == 201, filed.text
        numero = filed.json()["numeroTransaccion"]
        done = waiter.until(numero, lambda t: t["estado"] == "APROBADA")
        assert done["acknowledgement"]["numeroTransaccion"] == numero
        assert done["answer"]["ResultadoTramite"] == 1 and done["pulledAt"]
        seen = ccf.summary()
        assert seen["refused"] == [] and seen["errors"] == []
        assert seen["pulled"][numero]["encrypted"] is True  # the JWE was decrypted with the CCF's key
        mail = []
        for _ in range(100):
            mail = [m for m in api.get("/_local/mailbox", params={"to": EMPLOYER_EMAIL}).json()
                    if m["template"].endswith("tramite-result")]  # fmt: skip
            if mail:
                break
            __import__("time").sleep(0.2)
        assert mail and numero in mail[0]["text"]

        # The endpoint goes down: retried, dead-lettered, FALLIDA.
        ccf.stop()
        second = api.post("/admin/tramites", json=request, headers=ministry).json()["numeroTransaccion"]
        failed = waiter.until(second, lambda t: t["estado"] == "FALLIDA")
        assert failed["attempts"] >= 2
        assert {d["outcome"] for d in failed["deliveries"]} >= {"REINTENTO", "FALLIDA"} - {"FALLIDA"}

        # It comes back; the Ministry redrives; the same notification completes.
        ccf.start()
        redriven = api.post(f"/admin/tramites/{second}/redrive", headers=ministry)
        assert redriven.status_code == 202, redriven.text
        completed = waiter.until(second, lambda t: t["estado"] == "APROBADA")
        assert completed["generation"] == 1
        assert [n["numero_transaccion"] for n in ccf.summary()["notifications"]].count(second) == 1
    finally:
        ccf.stop()
