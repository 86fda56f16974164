"""Screenshots of every portal page, desktop (1280 px) and phone (360 px), into docs/portal/ (docs/portal.md,
"Capturas").

Starts the local runtime (local/testing.py `running_runtime`, the synthesized template), builds through the API
(local/journeys.py) the state each page needs, and visits each page of docs/portal.md's table in Debian's
Chromium as the right person: anyone (home, help, sign-in, ...), a citizen registering through the pages (Pasos
2–5, the welcome link, "Asignar contraseña"), the same citizen signed in, a company's legal representative, the
delegate of a CCF company (authorized persons), the CCF's authorized person (the §6 pages) and the seeded
Ministry operator (every GET page under /ministerio that handler.ROUTES serves, found at run time). The pages
are PNG files `<name>-1280.png` / `<name>-360.png`: the first `MAX_HEIGHT` pixels of the page, as a 256-colour
palette PNG (`png8`: the project has no imaging package, Chromium decodes its own screenshot).

`tour()` is the walk itself; scripts/bench_portal.py runs the same walk to measure each page. A new page is one
more `visit(...)` call in the actor's part of `tour()` (a new back-office exact route needs nothing).

Usage: python scripts/portal_screenshots.py [--out docs/portal] [--only NAME ...]   (make portal-screenshots)
"""

from __future__ import annotations

import argparse
import base64
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "layers/common/python")]

from local import journeys  # noqa: E402
from local.testing import running_runtime  # noqa: E402

TEMPLATE = ROOT / "cdk.out" / "SatCcf-dev.template.json"
OUT = ROOT / "docs" / "portal"
VIEWPORTS = {"1280": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}
MAX_HEIGHT = 1800  # px of the page kept in each capture: the top of long pages (the documentation) is enough
TIMEOUT_MS = 120_000
PASSWORD = "capturas del portal 2026"  # noqa: S105 - a person of the throwaway local runtime
SEED = journeys.seed()["scenarios"]["free"]
CC_PEOPLE = [p for p in SEED["people"] if p["documentType"] == "CC"]
CCFS = [c for c in SEED["companies"] if c["isCcf"]]
EMPLOYERS = [c for c in SEED["companies"] if not c["isCcf"]]
# the script runs its own runtime; still, people and companies the portal tests do not use
CITIZEN, DELEGATE, AUTHORIZED = (journeys.person(CC_PEOPLE[i]) for i in (-200, -201, -202))
CCF, EMPLOYER = CCFS[-1], EMPLOYERS[-25]
SERVICE = "solicitud-afiliacion"

Visit = Callable[[Any, str, str], None]  # (page, name, caption): the page is loaded and ready


@contextmanager
def runtime() -> Iterator[dict[str, Any]]:
    if not TEMPLATE.exists():
        subprocess.run([sys.executable, "infra/app.py"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="portal-tour-") as workdir:
        options = ("--sqs-backoff", "0", "--timeout-factor", "10")
        with running_runtime(TEMPLATE, Path(workdir), *options) as info:
            yield info


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("Debian's chromium is not installed (make chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any) -> Any:
    context = browser.new_context(locale="es-CO", viewport=VIEWPORTS["1280"])
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(browser: Any, portal_url: str, someone: dict[str, Any], password: str, secret: str | None = None) -> Any:
    from playwright.sync_api import expect

    page = new_page(browser)
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    page.get_by_label("Número de documento").fill(someone["documentNumber"])
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    if secret:  # the Ministry operator's verification code (decision 0029): a step the API has not seen yet
        import pyotp

        expect(page.get_by_role("heading", name="Código de verificación")).to_be_visible(timeout=TIMEOUT_MS)
        step = max(int(time.time()) // journeys.TOTP_STEP, journeys._last_totp_step.get(secret, -1) + 1)
        journeys._wait_until_step_is_accepted(step)
        journeys._last_totp_step[secret] = step
        page.get_by_label("Código de verificación").fill(pyotp.TOTP(secret).at(step * journeys.TOTP_STEP))
        page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible(timeout=TIMEOUT_MS)
    return page


def choose_role(page: Any, label: str) -> None:
    from playwright.sync_api import expect

    page.get_by_label(re.compile(label, re.S)).first.check()
    page.get_by_role("button", name="Seleccionar rol").click()
    expect(page.get_by_role("status")).to_be_visible(timeout=TIMEOUT_MS)


def go(page: Any, url: str) -> Any:
    page.goto(url)
    return page


# --- the walk --------------------------------------------------------------------------------------------------


def tour(info: dict[str, Any], browser: Any, visit: Visit) -> None:
    portal = str(info["portal_url"]).rstrip("/")
    mailbox = journeys.Mailbox(info["mailbox_url"])
    with httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT) as api:
        anyone(portal, browser, visit)
        citizen(portal, browser, mailbox, visit)
        representative(portal, browser, api, mailbox, visit)
        delegate_and_authorized(info, portal, browser, api, mailbox, visit)
        ministry(info, portal, browser, visit)


def anyone(portal: str, browser: Any, visit: Visit) -> None:
    page = new_page(browser)
    visit(go(page, portal), "inicio", "Inicio: las funcionalidades y «¿Qué está buscando?»")
    visit(go(page, f"{portal}/ayuda"), "ayuda", "Ayuda: los pasos de cada funcionalidad y la mesa de ayuda")
    visit(go(page, f"{portal}/ingreso"), "ingreso", "Ingreso (Paso 6)")
    visit(go(page, f"{portal}/olvide-contrasena"), "olvide-contrasena", "¿Olvidó su contraseña?")
    visit(go(page, f"{portal}/no-existe"), "no-encontrada", "Página no encontrada (404)")
    page.context.close()


def citizen(portal: str, browser: Any, mailbox: journeys.Mailbox, visit: Visit) -> None:
    """Registro ciudadano through the pages (manual §5 Pasos 2–5), then the welcome link and Ingreso."""
    from playwright.sync_api import expect

    someone = CITIZEN
    page = new_page(browser)
    visit(go(page, f"{portal}/registro"), "registro-paso-2", "Registro ciudadano, Paso 2: datos básicos")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert")).to_be_visible()
    visit(page, "registro-paso-2-errores", "Paso 2 con el resumen de errores")
    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    for label, key in (
        ("Número de documento", "documentNumber"),
        ("Primer nombre", "firstName"),
        ("Primer apellido", "firstSurname"),
        ("Fecha de nacimiento", "birthDate"),
        ("Fecha de expedición del documento", "expeditionDate"),
    ):
        page.get_by_label(label).fill(someone[key])
    if someone.get("middleName"):
        page.get_by_label("Segundo nombre").fill(someone["middleName"])
    if someone.get("secondSurname"):
        page.get_by_label("Segundo apellido").fill(someone["secondSurname"])
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("Paso 3 de 5")).to_be_visible()
    visit(page, "registro-paso-3", "Paso 3: preguntas de identidad")
    for index in range(page.locator("form fieldset").count()):
        group = page.locator("form fieldset").nth(index)
        text = group.locator("legend").inner_text()
        kind = next(kind for marker, kind in journeys.QUESTION_KINDS.items() if marker in text)
        option = group.get_by_label(journeys.what_they_know(someone, kind), exact=True)
        (option if option.count() else group.get_by_label(journeys.NONE_OF_THE_ABOVE, exact=True)).check()
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("Paso 4 de 5")).to_be_visible()
    contact = journeys.contact_for(someone)
    page.get_by_label("Departamento").select_option(contact["departmentCode"])
    page.get_by_role("button", name="Cargar municipios del departamento").click()
    page.get_by_label("Municipio").select_option(contact["municipalityCode"])
    page.get_by_label("Zona").select_option(contact["zone"])
    page.get_by_label("Dirección de contacto").fill(contact["address"])
    page.get_by_label("Teléfono", exact=True).fill(contact["phone"])
    page.get_by_label("Celular").fill(contact["mobile"])
    page.get_by_label("Correo electrónico").fill(contact["email"])
    visit(page, "registro-paso-4", "Paso 4: datos de contacto y autorizaciones")
    page.locator("#consentEmail").get_by_label("Sí acepto").check()
    page.locator("#consentSms").get_by_label("No acepto").check()
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("status")).to_contain_text(contact["email"])
    visit(page, "registro-paso-5", "Paso 5: confirmación")
    link = mailbox.wait_for(contact["email"], "welcome")["data"]["enlace"]
    visit(go(page, link), "asignar-contrasena", "Asignar contraseña (el enlace del correo de bienvenida)")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Asignar contraseña").click()
    expect(page.get_by_role("heading", name="Contraseña asignada")).to_be_visible()
    visit(page, "contrasena-asignada", "Contraseña asignada")
    page.context.close()
    page = sign_in(browser, portal, someone, PASSWORD)
    visit(page, "mis-roles", "Mi lista de roles")
    visit(go(page, f"{portal}/mi-informacion"), "mi-informacion", "Actualizar mi información de contacto")
    page.context.close()


def representative(portal: str, browser: Any, api: httpx.Client, mailbox: journeys.Mailbox, visit: Visit) -> None:
    """A company's legal representative: the basic data page, then the company page and its steps (§5)."""
    found = journeys.company(EMPLOYER["nit"])
    someone = journeys.person(EMPLOYER["legalRepresentative"])
    journeys.register_citizen(api, mailbox, someone, PASSWORD)
    page = sign_in(browser, portal, someone, PASSWORD)
    visit(go(page, f"{portal}/empleadores/nuevo"), "empleador-nuevo", "Registrar rol empleador: datos básicos")
    headers = journeys.bearer(journeys.sign_in(api, someone, PASSWORD))
    api.post("/employers", json=journeys.employer_data(found), headers=headers).raise_for_status()
    nit = found["nit"]
    visit(go(page, f"{portal}/empleadores/{nit}"), "empleador", "La empresa: estado y pasos")
    visit(go(page, f"{portal}/empleadores/{nit}/delegado"), "empleador-delegado", "Paso 3: delegado")
    visit(go(page, f"{portal}/empleadores/{nit}/sede"), "empleador-sede", "Paso 4: sede principal")
    page.context.close()


def delegate_and_authorized(
    info: dict[str, Any], portal: str, browser: Any, api: httpx.Client, mailbox: journeys.Mailbox, visit: Visit
) -> None:
    """A CCF company registered over the API with its delegate; the Ministry activates the CCF and assigns
    its services; the delegate authorizes a person, who uses the §6 pages."""
    nit, found = CCF["nit"], journeys.company(CCF["nit"])
    email = "talento.humano@caja-capturas.example.com"
    legal = journeys.person(CCF["legalRepresentative"])
    headers = journeys.bearer(journeys.register_citizen(api, mailbox, legal, PASSWORD))
    api.post("/employers", json=journeys.employer_data(found), headers=headers).raise_for_status()
    api.put(
        f"/employers/{nit}/delegate", json=journeys.person_data(DELEGATE, email), headers=headers
    ).raise_for_status()
    office = journeys.headquarters_for(found, email)
    api.put(f"/employers/{nit}/headquarters", json=office, headers=headers).raise_for_status()
    api.post(f"/employers/{nit}/confirmation", headers=headers).raise_for_status()
    delegate = journeys.bearer(journeys.register_citizen(api, mailbox, DELEGATE, PASSWORD))
    authorized = journeys.bearer(journeys.register_citizen(api, mailbox, AUTHORIZED, PASSWORD))
    ministry = journeys.bearer(journeys.ministry_session(api, info["ministry_login"]))
    api.post("/admin/ccfs", json={"nit": nit}, headers=ministry).raise_for_status()
    for service_id in ("solicitud-afiliacion", "respuesta-tramite-ccf", "recepcion-traslado-caja"):
        api.post(f"/admin/ccfs/{nit}/services", json={"serviceId": service_id}, headers=ministry).raise_for_status()
    person = journeys.authorization_for(AUTHORIZED, "servicios.web@caja-capturas.example.com")
    api.post(f"/employers/{nit}/authorizations", json=person, headers=delegate).raise_for_status()
    listed = api.get(f"/employers/{nit}/authorizations", headers=delegate).json()
    authorization_id = listed["items"][0]["authorizationId"]

    page = sign_in(browser, portal, DELEGATE, PASSWORD)
    choose_role(page, f"Empleador persona jurídica.*NIT {nit}")
    base = f"{portal}/empleadores/{nit}/autorizados"
    visit(go(page, base), "autorizados", "Administrar autorizados: la lista")
    visit(go(page, f"{base}/nuevo"), "autorizados-nuevo", "Nuevo autorizado")
    visit(go(page, f"{base}/{authorization_id}/revocar"), "autorizados-revocar", "Revocar: la confirmación")
    page.context.close()

    page = sign_in(browser, portal, AUTHORIZED, PASSWORD)
    choose_role(page, f"NIT {nit}")
    services = f"{portal}/ccfs/{nit}/servicios"
    visit(go(page, services), "ccf-condiciones", "§6: condiciones de uso y política de privacidad")
    page.get_by_role("button", name="Acepto", exact=True).click()
    page.wait_for_load_state()
    visit(page, "ccf-servicios", "§6: el menú y el catálogo de servicios")
    visit(go(page, f"{services}/informacion/{SERVICE}"), "ccf-informacion", "§6: Información Servicio")
    visit(go(page, f"{services}/documentacion/{SERVICE}"), "ccf-documentacion", "§6: documentación del servicio")
    visit(go(page, f"{services}/contrasena"), "ccf-contrasena", "§6: Asignar contraseña de consumo")
    visit(go(page, f"{services}/compartir"), "ccf-compartir", "§6: Compartir Servicios Entidad")
    # the notification service (decision 0106) with two keys (decision 0102), created over the API; its URL is
    # loopback, which only the local runtime accepts (a public name must resolve, and this machine may have no DNS)
    shared = {"name": "NotificacionesCaja", "purpose": "NOTIFICACION_TRAMITES", "operation": "POST",
              "description": "Recepción de las notificaciones de trámites",
              "url": "http://127.0.0.1:9/sat/notificaciones", "publicKey": _public_key()}  # fmt: skip
    created = api.post(f"/ccfs/{nit}/shared-services", json=shared, headers=authorized)
    created.raise_for_status()
    shared_id = created.json()["sharedServiceId"]
    added = api.post(f"/ccfs/{nit}/shared-services/{shared_id}/keys", json={"publicKey": _public_key()},
                     headers=authorized)  # fmt: skip
    added.raise_for_status()
    compartir = f"{services}/compartir"
    visit(go(page, compartir), "ccf-compartir-notificacion", "§6: el servicio que recibe las notificaciones")
    visit(go(page, f"{compartir}/{shared_id}"), "ccf-compartir-servicio", "§6: un servicio, su uso y sus llaves")
    visit(go(page, f"{compartir}/{shared_id}/llaves"), "ccf-llaves", "§6: Llaves públicas del servicio")
    old_kid = api.get(f"/ccfs/{nit}/shared-services/{shared_id}", headers=authorized).json()["publicKeys"][0]["kid"]
    confirm = f"{compartir}/{shared_id}/llaves/{old_kid}/quitar"
    visit(go(page, confirm), "ccf-llaves-quitar", "§6: quitar una llave pública: la confirmación")
    page.context.close()


def _public_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def ministry(info: dict[str, Any], portal: str, browser: Any, visit: Visit) -> None:
    """The seeded Ministry operator (every group): each exact GET route under /ministerio of the portal."""
    from portal import handler

    login = info["ministry_login"]
    document_type, document_number = login["usernames"][0].split("-", 1)
    operator = {"documentType": document_type, "documentNumber": document_number}
    page = sign_in(browser, portal, operator, login["password"], login.get("totp_secret"))
    paths = sorted(path for method, path in handler.ROUTES if method == "GET" and path.startswith("/ministerio"))
    for path in paths:
        name = "ministerio" + path.removeprefix("/ministerio").replace("/", "-")
        visit(go(page, f"{portal}{path}"), name, f"Back office: {path}")
    page.context.close()


# --- the captures ----------------------------------------------------------------------------------------------


PIXELS = """async (b64) => {
  const img = new Image();
  img.src = "data:image/png;base64," + b64;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width;
  canvas.height = img.height;
  const context = canvas.getContext("2d");
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, img.width, img.height).data;
  let text = "";
  for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
  return [img.width, img.height, btoa(text)];
}"""


def rgba(browser: Any, png: bytes) -> tuple[int, int, bytes]:
    """The screenshot's pixels, decoded by Chromium (no imaging package in the project)."""
    page = new_page(browser)
    width, height, data = page.evaluate(PIXELS, base64.b64encode(png).decode())
    page.context.close()
    return int(width), int(height), base64.b64decode(data)


def png8(width: int, height: int, pixels: bytes) -> bytes:
    """A palette PNG of the 256 most frequent colours, each other colour mapped to its nearest: the pages are
    text on flat colours, so the anti-aliasing loses nothing visible and the file shrinks several times."""
    values = memoryview(pixels).cast("I")  # RGBA as one little-endian integer per pixel
    counts = Counter(values)
    palette = [color for color, _ in counts.most_common(256)]
    index = {color: i for i, color in enumerate(palette)}
    channels = [(c & 0xFF, c >> 8 & 0xFF, c >> 16 & 0xFF) for c in palette]
    for color in counts:
        if color not in index:
            r, g, b = color & 0xFF, color >> 8 & 0xFF, color >> 16 & 0xFF
            distances = [(r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2 for pr, pg, pb in channels]
            index[color] = distances.index(min(distances))
    indices = bytes(map(index.__getitem__, values))
    rows = b"".join(b"\x00" + indices[y * width : (y + 1) * width] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    plte = b"".join(bytes(rgb) for rgb in channels)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", plte)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def capture(browser: Any, out: Path, only: set[str]) -> Visit:
    def visit(page: Any, name: str, caption: str) -> None:
        if only and name not in only:
            return
        page.wait_for_load_state()
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            height = min(MAX_HEIGHT, int(page.evaluate("() => document.documentElement.scrollHeight")))
            target = out / f"{name}-{width}.png"
            clip = {"x": 0, "y": 0, "width": viewport["width"], "height": max(height, viewport["height"])}
            target.write_bytes(png8(*rgba(browser, page.screenshot(clip=clip, full_page=True))))
            print(f"{target.relative_to(ROOT)}  {target.stat().st_size:>7,} bytes  {caption}", flush=True)
        page.set_viewport_size(VIEWPORTS["1280"])

    return visit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", nargs="*", default=[], help="page names (the files' stems) to capture")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with runtime() as info, chromium() as browser:
        tour(info, browser, capture(browser, args.out, set(args.only)))
    total = sum(path.stat().st_size for path in args.out.glob("*.png"))
    print(f"{len(list(args.out.glob('*.png')))} files, {total:,} bytes in {args.out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
