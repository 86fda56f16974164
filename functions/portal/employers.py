"""/empleadores/nuevo and /empleadores/{nit}: "Registrar rol empleador persona jurídica" (manual §5 Pasos 1–4)
and "Actualizar datos". Basic data as in the RUT → the RUT, when the API asks for it, posted by the browser
straight to S3 (presigned POST, no JavaScript; S3 sends the browser back here) → the Ministry's review on the
company page → the delegate (Paso 3) → the sede principal (Paso 4) → "Confirmar", naming the e-mail. Every
change ends in a 303 to a page that reads the company from the API, so reloading or going back repeats
nothing; a repeated submit gets the API's 409 as a message (decision 0086)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from portal import catalogs
from portal import employer_forms as forms
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.sign_in import require_signed_in
from portal.web import MAX_FORM_BYTES, Response

TITLE = "Registrar rol empleador persona jurídica"
UPDATE_TITLE = "Actualizar datos"
NOTICE = "empleador_aviso"  # session.data key of the one-time notice on the company page
RUT_SENT = "empleador_rut_enviado"  # session.data: the NIT whose RUT form S3 answered (the check is async)
_NIT = re.compile(r"^/empleadores/([0-9]{9})")


def _nit(page: Page) -> str:
    found = _NIT.match(page.request.path)
    assert found is not None  # the route's pattern matched it
    return found.group(1)


def _options(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"code": str(i.get("code")), "name": str(i.get("name"))} for i in items if not i.get("dianSpecial")]


def _notice(page: Page, text: str) -> None:
    assert page.session is not None
    page.session.data[NOTICE] = text
    page.deps.store.save(page.session)


def _take_notice(page: Page) -> str | None:
    if page.session is None or NOTICE not in page.session.data:
        return None
    text = str(page.session.data.pop(NOTICE))
    page.deps.store.save(page.session)
    return text


def _company(page: Page, nit: str) -> tuple[dict[str, Any] | None, Response | None]:
    """The company as the API shows it to this person, or the page saying why not."""
    answer = page.call("GET", f"/employers/{nit}", auth=True)
    if answer.ok and isinstance(answer.body, dict):
        return answer.body, None
    return None, page.message(
        max(answer.status, 400),
        TITLE,
        [e.message for e in from_answer(answer, ())],
        {"href": "/mis-roles", "text": "Ir a Mi lista de roles"},
    )


# --- Paso 2: basic data ----------------------------------------------------------------------------------
def _new_form(page: Page, values: dict[str, str], errors: list[PageError], status: int = 200) -> Response:
    return page.render(
        "employer_new.html",
        status=status,
        title=TITLE,
        errors=errors,
        values=values,
        company_types=_options(catalogs.items(page, "company-types")),
    )


def show_new(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    return _new_form(page, {}, [])


def submit_new(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    values = forms.trimmed(form, forms.BASIC_FIELDS)
    if empty := forms.missing(values, forms.BASIC_FIELDS):
        return _new_form(page, values, [PageError(forms.REQUIRED, name) for name in empty], 400)
    answer = page.call("POST", "/employers", values, auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        errors = from_answer(answer, forms.BASIC_FIELDS)
        return _new_form(page, values, errors, max(answer.status, 400))
    return page.redirect(f"/empleadores/{values['nit']}")


# --- the company page: its state, the steps, "Confirmar" and "Actualizar datos" ----------------------------
def _company_page(
    page: Page, view: dict[str, Any], errors: list[PageError], status: int = 200, values: dict[str, Any] | None = None
) -> Response:
    nit = str(view["nit"])
    registered = view.get("status") == "REGISTERED"
    assert page.session is not None
    view = {**view, "rutSent": page.session.data.get(RUT_SENT) == nit}
    context: dict[str, Any] = {}
    if registered:
        context = _headquarters_context(page, values or forms.from_view(view.get("headquarters")))
    return page.render(
        "employer_company.html",
        status=status,
        title=UPDATE_TITLE if registered else TITLE,
        errors=errors,
        company=view,
        lines=forms.state_lines(view),
        notice=_take_notice(page),
        needs_rut=view.get("status") in ("RUT_REQUIRED", "RUT_REJECTED"),
        legal_representative=view.get("yourProfile") == "REPRESENTANTE_LEGAL",
        registered=registered,
        **context,
    )


def show_company(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    assert page.session is not None
    nit = _nit(page)
    if "key" in page.request.query or "bucket" in page.request.query:
        # S3's redirect after the RUT form (success_action_redirect): back to the clean address
        page.session.data[RUT_SENT] = nit
        page.deps.store.save(page.session)
        return page.redirect(f"/empleadores/{nit}")
    view, refused = _company(page, nit)
    if view is None:
        assert refused is not None
        return refused
    return _company_page(page, view, [])


def submit_update(page: Page) -> Response:
    """Actualizar datos: PATCH /employers/{nit} with the whole form (the API checks the result)."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit = _nit(page)
    view, refused = _company(page, nit)
    if view is None:
        assert refused is not None
        return refused
    values = forms.headquarters_values(form, _checked(page, "pilaOperators"))
    if form.get("accion") in ("municipios", "ciiu"):
        return _company_page(page, view, [], values=values)
    if empty := forms.missing(values, forms.HEADQUARTERS_FIELDS):
        return _company_page(page, view, [PageError(forms.REQUIRED, n) for n in empty], 400, values)
    answer = page.call("PATCH", f"/employers/{nit}", forms.headquarters_body(values), auth=True)
    if not answer.ok:
        errors = from_answer(answer, forms.HEADQUARTERS_FIELDS)
        return _company_page(page, view, errors, max(answer.status, 400), values)
    _notice(page, "Los datos de la empresa fueron actualizados.")
    return page.redirect(f"/empleadores/{nit}")


def submit_confirmation(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit = _nit(page)
    answer = page.call("POST", f"/employers/{nit}/confirmation", auth=True)
    view, refused = _company(page, nit)
    if view is None:
        assert refused is not None
        return refused
    if answer.ok:
        email = str((view.get("headquarters") or {}).get("email", ""))
        _notice(
            page,
            "Mi Seguridad Social creó el rol empleador persona jurídica. La información del registro llegará al "
            f"correo electrónico {email}.",
        )
        return page.redirect(f"/empleadores/{nit}")
    steps = forms.missing_steps(answer.body)
    if steps:  # each missing step links to its place on the page
        errors = [PageError(forms.STEP_NAMES[step], forms.STEP_IDS[step]) for step in steps]
    else:
        errors = from_answer(answer, ())
    return _company_page(page, view, errors, max(answer.status, 400))


# --- the RUT: a form posted straight to S3 -------------------------------------------------------------------
def submit_rut(page: Page) -> Response:
    """A fresh upload slot whose form sends the browser back here (POST /employers/{nit}/rut?returnTo=portal),
    rendered as the form; going back and sending again only asks for another slot (the API replaces it)."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit = _nit(page)
    answer = page.call("POST", f"/employers/{nit}/rut?returnTo=portal", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        view, refused = _company(page, nit)
        if view is None:
            assert refused is not None
            return refused
        return _company_page(page, view, from_answer(answer, ()), max(answer.status, 400))
    assert page.session is not None
    page.session.data.pop(RUT_SENT, None)
    page.deps.store.save(page.session)
    slot = answer.body
    response = page.render(
        "employer_rut.html",
        title=TITLE,
        nit=nit,
        slot=slot,
        max_megabytes=round(int(slot.get("maxBytes", 0)) / 1_048_576, 1),
    )
    # this page's form goes to S3: its origin joins form-action for this response only
    target = urlsplit(str(slot.get("url", "")))
    if target.scheme in ("https", "http") and target.netloc:
        policy = response.headers["Content-Security-Policy"]
        origin = f"{target.scheme}://{target.netloc}"
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
    return response


# --- Paso 3: the delegate -----------------------------------------------------------------------------------
def _delegate_form(
    page: Page, nit: str, values: dict[str, str], errors: list[PageError], status: int = 200
) -> Response:
    return page.render(
        "employer_delegate.html",
        status=status,
        title=TITLE,
        errors=errors,
        values=values,
        nit=nit,
        document_types=[
            t for t in _options(catalogs.items(page, "document-types")) if t["code"] != "NI"
        ],  # a person's documents
    )


def show_delegate(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit = _nit(page)
    view, refused = _company(page, nit)
    if view is None:
        assert refused is not None
        return refused
    current = view.get("delegate") or {}
    values = {name: str(current.get(name) or "") for name in forms.DELEGATE_FIELDS}
    return _delegate_form(page, nit, values, [])


def submit_delegate(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit = _nit(page)
    values = forms.trimmed(form, forms.DELEGATE_FIELDS)
    if empty := forms.missing(values, forms.DELEGATE_FIELDS, forms.DELEGATE_OPTIONAL):
        return _delegate_form(page, nit, values, [PageError(forms.REQUIRED, n) for n in empty], 400)
    answer = page.call("PUT", f"/employers/{nit}/delegate", forms.delegate_body(values), auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return _delegate_form(page, nit, values, from_answer(answer, forms.DELEGATE_FIELDS), max(answer.status, 400))
    text = "Registramos al delegado."
    if not answer.body.get("registered"):
        text += f" Le enviamos a {values['email']} una invitación para registrarse en Mi Seguridad Social."
    _notice(page, text)
    return page.redirect(f"/empleadores/{nit}")


# --- Paso 4: the sede principal -------------------------------------------------------------------------------
def _checked(page: Page, name: str) -> list[str]:
    """Every value of a checkbox group (Request.form keeps only the first of each name)."""
    if len(page.request.body) > MAX_FORM_BYTES:
        return []
    pairs = parse_qsl(page.request.body.decode("utf-8", errors="replace"), keep_blank_values=False)
    return [value for key, value in pairs if key == name][:20]


def _headquarters_context(page: Page, values: dict[str, Any]) -> dict[str, Any]:
    department = str(values.get("departmentCode") or "")
    municipalities = catalogs.items(page, "municipalities", f"?department={department}") if department.isdigit() else []
    return {
        "values": values,
        "departments": _options(catalogs.items(page, "departments")),
        "municipalities": _options(municipalities),
        "contributor_types": _options(catalogs.items(page, "contributor-types")),
        "company_types": _options(catalogs.items(page, "company-types")),
        "ciiu": forms.ciiu_matches(
            catalogs.items(page, "ciiu"), str(values.get("ciiuSearch") or ""), str(values.get("ciiu") or "")
        ),
        "arls": _options(catalogs.items(page, "arl")),
        "pila_operators": _options(catalogs.items(page, "pila-operators")),
    }


def _headquarters_form(
    page: Page, nit: str, values: dict[str, Any], errors: list[PageError], status: int = 200
) -> Response:
    return page.render(
        "employer_headquarters.html",
        status=status,
        title=TITLE,
        errors=errors,
        nit=nit,
        **_headquarters_context(page, values),
    )


def show_headquarters(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit = _nit(page)
    view, refused = _company(page, nit)
    if view is None:
        assert refused is not None
        return refused
    return _headquarters_form(page, nit, forms.from_view(view.get("headquarters")), [])


def submit_headquarters(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit = _nit(page)
    values = forms.headquarters_values(form, _checked(page, "pilaOperators"))
    if form.get("accion") in ("municipios", "ciiu"):  # without JavaScript: the lists reloaded server-side
        return _headquarters_form(page, nit, values, [])
    if empty := forms.missing(values, forms.HEADQUARTERS_FIELDS):
        return _headquarters_form(page, nit, values, [PageError(forms.REQUIRED, n) for n in empty], 400)
    answer = page.call("PUT", f"/employers/{nit}/headquarters", forms.headquarters_body(values), auth=True)
    if not answer.ok:
        errors = from_answer(answer, forms.HEADQUARTERS_FIELDS)
        return _headquarters_form(page, nit, values, errors, max(answer.status, 400))
    _notice(page, "Registramos los datos de contacto de la empresa.")
    return page.redirect(f"/empleadores/{nit}")
