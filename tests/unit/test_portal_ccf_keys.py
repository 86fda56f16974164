"""The shared service's purpose and public keys in the portal, without AWS (decisions 0102, 0106): the purpose's
radio buttons and the API's 409 linked to them, the list saying which service receives the notifications (or
warning that none does), the keys page (newest first, which one the pulls use, expiry in Colombian time), adding a
key (errors in the summary, the PEM kept), and removing one only after a confirmation page. The API is the
recording fake of test_portal_ccf_pages."""

from __future__ import annotations

import re
from typing import Any

from portal.api_client import ApiAnswer
from portal.ccf_routes import route
from test_portal_ccf_pages import NIT, SHARED_ID, FakeApi, _page

API = f"/ccfs/{NIT}/shared-services"
SERVICE_API = f"{API}/{SHARED_ID}"
PAGE = f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}/llaves"
OLD_KID = "A" * 40 + "old"
NEW_KID = "B" * 40 + "new"
OLD_KEY = {"kid": OLD_KID, "keyType": "RSA-2048", "format": "PUBLIC_KEY", "fingerprint": "aa" * 32,
           "certificateNotAfter": None, "addedAt": "2026-11-01T15:00:00.000+00:00", "newest": False}  # fmt: skip
NEW_KEY = {"kid": NEW_KID, "keyType": "EC-P-256", "format": "CERTIFICATE", "fingerprint": "bb" * 32,
           "certificateNotAfter": "2027-01-01T03:00:00+00:00", "addedAt": "2026-12-01T15:00:00.000+00:00",
           "newest": True}  # fmt: skip
PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"


def _service(**extra: Any) -> dict[str, Any]:
    return {
        "sharedServiceId": SHARED_ID, "nit": NIT, "name": "NotificacionesCaja", "description": "d",
        "url": "https://caja.example.co/n", "operation": "POST", "purpose": "NOTIFICACION_TRAMITES",
        "status": "ACTIVE", "hasPublicKey": True, "hasPassword": False, "hasClientSecret": True, "oauth": None,
        "publicKeys": [OLD_KEY, NEW_KEY], **extra,
    }  # fmt: skip


def _html(response: Any) -> str:
    return str(response.body)


# --------------------------------------------------------------------------- purpose
def test_the_new_service_form_asks_the_purpose_and_sends_the_choice() -> None:
    api = FakeApi({("GET", API): ApiAnswer(200, {"items": []})})
    html = _html(route(_page("GET", f"/ccfs/{NIT}/servicios/compartir", api)))
    assert "<legend>Uso del servicio</legend>" in html
    assert "Recibir las notificaciones de trámites del Ministerio" in html and "Otro uso" in html
    assert "Atención: ningún servicio de la caja recibe las notificaciones de trámites" in html

    api.answers[("POST", API)] = ApiAnswer(201, {"sharedServiceId": SHARED_ID, "status": "INCOMPLETE"})
    form = "csrf=token&name=Notif&description=d&url=https%3A%2F%2Fc.example.co%2Fn&operation=POST"
    response = route(_page("POST", f"/ccfs/{NIT}/servicios/compartir", api, form + "&purpose=NOTIFICACION_TRAMITES"))
    assert response.status == 303
    assert api.calls[-1][2]["purpose"] == "NOTIFICACION_TRAMITES"
    route(_page("POST", f"/ccfs/{NIT}/servicios/compartir", api, form))
    assert "purpose" not in api.calls[-1][2]  # not chosen: the API's default by name (decision 0106)


def test_a_second_notification_service_is_the_purpose_error_and_the_choice_is_kept() -> None:
    existing = {**_service(), "name": "Receptor"}
    api = FakeApi({("GET", API): ApiAnswer(200, {"items": [existing]})})
    api.answers[("POST", API)] = ApiAnswer(
        409, {"code": "NOTIFICATION_SERVICE_EXISTS", "title": "Ya hay un servicio de notificación", "detail": "x"}
    )
    form = "csrf=token&name=Otro&description=d&url=https%3A%2F%2Fc.example.co%2Fo&operation=POST"
    response = route(_page("POST", f"/ccfs/{NIT}/servicios/compartir", api, form + "&purpose=NOTIFICACION_TRAMITES"))
    html = _html(response)
    assert response.status == 409
    assert re.search(r'<a href="#purpose">La caja ya tiene un servicio que recibe las notificaciones', html)
    assert 'id="purpose-error"' in html and 'value="NOTIFICACION_TRAMITES" checked' in html
    # the list names the service that receives them, and marks it in the table
    assert "llegan al servicio <strong>Receptor</strong>" in html
    assert "<strong>Recibe las notificaciones de trámites</strong>" in html


def test_a_notification_service_that_does_not_receive_is_a_warning_in_words() -> None:
    disabled = _service(status="DISABLED")
    api = FakeApi({("GET", API): ApiAnswer(200, {"items": [disabled]})})
    html = _html(route(_page("GET", f"/ccfs/{NIT}/servicios/compartir", api)))
    assert "<strong>Atención:</strong> hoy no las recibe (Deshabilitado" in html


def test_the_edit_page_shows_the_purpose_and_the_keys_and_no_longer_replaces_them() -> None:
    api = FakeApi({("GET", SERVICE_API): ApiAnswer(200, _service()), ("PATCH", SERVICE_API): ApiAnswer(200, {})})
    html = _html(route(_page("GET", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}", api)))
    assert "Uso: <strong>Recibe las notificaciones de trámites</strong>" in html
    assert 'value="NOTIFICACION_TRAMITES" checked' in html
    assert f'href="{PAGE}"' in html and 'name="publicKey"' not in html
    assert "BBBBBBBB…Bnew" in html and "(la más reciente: se usa para cifrar las consultas)" in html
    form = (
        "csrf=token&name=NotificacionesCaja&description=d&url=https%3A%2F%2Fcaja.example.co%2Fn&operation=POST"
        "&purpose=OTRO&exampleBody="
    )
    assert route(_page("POST", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}", api, form)).status == 303
    assert api.calls[-1] == ("PATCH", SERVICE_API, {"purpose": "OTRO"})


def test_while_a_change_waits_the_page_says_where_the_notifications_still_go() -> None:
    """Decision 0111: a changed url or OAuth data waits for the connection test; the person reads where the
    notifications go meanwhile."""
    waiting = _service(
        status="PENDING_VERIFICATION",
        url="https://nueva.caja.example.co/n",
        verifiedConfiguration={
            "url": "https://caja.example.co/n",
            "oauth": None,
            "checkedAt": "2026-12-01T15:00:00.000Z",
        },
    )
    api = FakeApi({("GET", SERVICE_API): ApiAnswer(200, waiting)})
    html = _html(route(_page("GET", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}", api)))
    assert "las notificaciones siguen llegando a la configuración verificada el 01/12/2026" in html
    assert "<code>https://caja.example.co/n</code>" in html
    api = FakeApi({("GET", SERVICE_API): ApiAnswer(200, _service())})
    assert "siguen llegando" not in _html(route(_page("GET", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}", api)))


# --------------------------------------------------------------------------- keys
def test_the_keys_page_lists_the_newest_first_with_its_use_and_colombian_times() -> None:
    api = FakeApi({("GET", SERVICE_API): ApiAnswer(200, _service())})
    html = _html(route(_page("GET", PAGE, api)))
    assert html.index(NEW_KID) < html.index(OLD_KID)
    assert "Llave BBBBBBBB…Bnew (la más reciente)" in html and "Se usa para cifrar las consultas" in html
    assert "31/12/2026 10:00 p. m." in html  # the certificate's expiry, 03:00 UTC, in Colombia
    assert "01/11/2026 10:00 a. m." in html and "Certificado X.509 (PEM)" in html
    assert f'href="{PAGE}/{OLD_KID}/quitar"' in html and f'href="{PAGE}/{NEW_KID}/quitar"' in html
    assert "Ya hay 2 llaves registradas" in html
    assert "Registre aquí la llave pública nueva" in html and "quite la llave anterior" in html


def test_a_key_registered_before_two_slots_has_no_kid_and_cannot_be_removed_here() -> None:
    legacy = {**OLD_KEY, "kid": None, "newest": True}
    api = FakeApi({("GET", SERVICE_API): ApiAnswer(200, _service(publicKeys=[legacy]))})
    html = _html(route(_page("GET", PAGE, api)))
    assert "Se calculará cuando registre otra llave" in html and "/quitar" not in html
    assert "Ya hay 2 llaves" not in html


def test_adding_a_key_refusals_are_in_the_summary_and_success_is_a_notice_shown_once() -> None:
    api = FakeApi({("GET", SERVICE_API): ApiAnswer(200, _service(publicKeys=[OLD_KEY]))})
    response = route(_page("POST", PAGE, api, "csrf=token&publicKey=+"))
    assert response.status == 400 and '<a href="#publicKey">Pegue la llave pública' in _html(response)
    assert [c for c in api.calls if c[0] == "POST"] == []

    invalid = {"detail": "Inválido", "errors": [{"field": "body.publicKey", "message": "La llave no es PEM."}]}
    api.answers[("POST", f"{SERVICE_API}/keys")] = ApiAnswer(422, invalid)
    response = route(_page("POST", PAGE, api, "csrf=token&publicKey=no-es-pem"))
    assert response.status == 422 and '<a href="#publicKey">La llave no es PEM.</a>' in _html(response)
    assert ">no-es-pem</textarea>" in _html(response) and 'aria-invalid="true"' in _html(response)

    full = {"code": "SHARED_SERVICE_KEYS_FULL", "detail": "El servicio ya tiene 2 llaves públicas registradas."}
    api.answers[("POST", f"{SERVICE_API}/keys")] = ApiAnswer(409, full)
    response = route(_page("POST", PAGE, api, "csrf=token&publicKey=x"))
    assert response.status == 409 and "ya tiene 2 llaves" in _html(response)

    api.answers[("POST", f"{SERVICE_API}/keys")] = ApiAnswer(201, {**NEW_KEY})
    session_page = _page("POST", PAGE, api, "csrf=token&publicKey=" + PEM.replace("\n", "%0D%0A"))
    response = route(session_page)
    assert response.status == 303 and response.headers["Location"] == PAGE
    assert api.calls[-1] == ("POST", f"{SERVICE_API}/keys", {"publicKey": PEM})
    follow = _page("GET", PAGE, api)
    follow.session = session_page.session
    assert "La llave BBBBBBBB…Bnew quedó registrada" in _html(route(follow))
    assert "quedó registrada" not in _html(route(follow))


def test_a_key_is_removed_only_after_its_confirmation_page() -> None:
    api = FakeApi({("GET", SERVICE_API): ApiAnswer(200, _service())})
    html = _html(route(_page("GET", f"{PAGE}/{NEW_KID}/quitar", api)))
    assert "¿Está seguro de quitar la llave" in html and NEW_KID in html
    assert "es la llave más reciente" in html and "AAAAAAAA…Aold" in html
    assert f'action="{PAGE}/{NEW_KID}/quitar"' in html and 'name="csrf"' in html
    assert [c[0] for c in api.calls] == ["GET"]  # nothing removed by opening the page

    api.answers[("GET", SERVICE_API)] = ApiAnswer(200, _service(publicKeys=[OLD_KEY]))
    assert "es la única llave del servicio" in _html(route(_page("GET", f"{PAGE}/{OLD_KID}/quitar", api)))
    assert route(_page("GET", f"{PAGE}/{NEW_KID}/quitar", api)).status == 404  # not registered

    api.answers[("DELETE", f"{SERVICE_API}/keys/{OLD_KID}")] = ApiAnswer(204)
    response = route(_page("POST", f"{PAGE}/{OLD_KID}/quitar", api, "csrf=token"))
    assert response.status == 303 and response.headers["Location"] == PAGE
    assert ("DELETE", f"{SERVICE_API}/keys/{OLD_KID}", None) in api.calls
    gone = {"code": "SHARED_SERVICE_KEY_NOT_FOUND", "detail": "No existe."}
    api.answers[("DELETE", f"{SERVICE_API}/keys/{OLD_KID}")] = ApiAnswer(404, gone)
    assert route(_page("POST", f"{PAGE}/{OLD_KID}/quitar", api, "csrf=token")).status == 303  # a second press


def test_key_ids_that_are_not_thumbprints_are_not_found_without_calling_the_api() -> None:
    for path in (f"{PAGE}/corto/quitar", f"{PAGE}/{'A' * 42}%2F/quitar", f"{PAGE}/{NEW_KID}"):
        api = FakeApi()
        assert route(_page("GET", path, api)).status == 404, path
        assert api.calls == [], path


def test_the_portal_hands_the_key_pages_to_the_ccf_routes() -> None:
    from portal import ccf_routes, handler

    for method, path in (("GET", PAGE), ("POST", PAGE), ("GET", f"{PAGE}/{OLD_KID}/quitar"),
                         ("POST", f"{PAGE}/{OLD_KID}/quitar")):  # fmt: skip
        assert handler._by_pattern(method, path) is ccf_routes.route, (method, path)
