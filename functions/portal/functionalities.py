"""The functionalities the home page lists and "¿Qué está buscando?" finds (manual MN82 §6 Paso 2), with the
short step list of the help page. `path` is None while the portal has no page for it yet."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Functionality:
    slug: str
    name: str
    summary: str
    keywords: tuple[str, ...]
    steps: tuple[str, ...]
    manual: str
    path: str | None = None


FUNCTIONALITIES: tuple[Functionality, ...] = (
    Functionality(
        slug="registro-ciudadano",
        name="Registro ciudadano",
        summary="Cree su usuario de Mi Seguridad Social con sus datos básicos y de contacto.",
        keywords=("registro", "registrarse", "usuario", "crear cuenta", "ciudadano"),
        steps=(
            "Ingrese sus datos básicos y seleccione la opción “Continuar”.",
            "Responda las preguntas de validación.",
            "Registre la información de contacto y sus autorizaciones.",
            "Abra el correo de bienvenida y asigne su contraseña.",
        ),
        manual="§5 “Registro de ciudadano”, Pasos 1 a 5",
        path="/registro",
    ),
    Functionality(
        slug="ingreso",
        name="Ingreso",
        summary="Inicie sesión con su tipo y número de documento y su contraseña.",
        keywords=("ingreso", "ingresar", "iniciar sesión", "entrar", "login", "código de verificación"),
        steps=(
            "Seleccione “Ingreso” en la parte superior.",
            "Digite su tipo y número de documento y su contraseña.",
            "Si el portal se lo pide, digite el código de verificación de su aplicación de autenticación.",
        ),
        manual="§5 “Registro de ciudadano”, Paso 6",
        path="/ingreso",
    ),
    Functionality(
        slug="asignar-contrasena",
        name="Asignar contraseña",
        summary="Asigne su contraseña desde el enlace que recibió por correo electrónico.",
        keywords=("contraseña", "clave", "asignar", "olvidé", "correo de bienvenida"),
        steps=(
            "Abra el correo “Bienvenido” de Mi Seguridad Social y siga el enlace.",
            "Escriba su nueva contraseña dos veces y oprima “Asignar contraseña”.",
            "Ingrese al portal con su documento y su nueva contraseña.",
        ),
        manual="§5 “Registro de ciudadano”, Paso 5, y “Asignación de contraseña”",
    ),
    Functionality(
        slug="olvide-contrasena",
        name="¿Olvidó su contraseña?",
        summary="Reciba en su correo electrónico registrado un enlace para crear una nueva contraseña.",
        keywords=("olvidó su contraseña", "olvidé mi contraseña", "recuperar", "restablecer", "clave"),
        steps=(
            "En “Ingreso”, seleccione “¿Olvidó su contraseña?”.",
            "Digite su tipo y número de documento y oprima “Enviar enlace”.",
            "Abra el correo de Mi Seguridad Social, siga el enlace y escriba su nueva contraseña dos veces.",
        ),
        manual="§5 “Registro de ciudadano”, Paso 6",
        path="/olvide-contrasena",
    ),
    Functionality(
        slug="mi-informacion",
        name="Actualizar mi información de contacto",
        summary="Actualice su dirección, teléfonos, correo electrónico y autorizaciones de contacto.",
        keywords=(
            "mi información",
            "datos de contacto",
            "dirección",
            "teléfono",
            "celular",
            "correo",
            "autorizaciones",
        ),
        steps=(
            "Ingrese al portal.",
            "Abra “Actualizar mi información de contacto”.",
            "Actualice sus datos y oprima “Guardar datos de contacto”, “Cambiar correo” o “Guardar autorizaciones”.",
            "Si cambió el correo, abra el enlace que llega al correo nuevo y oprima “Confirmar correo”.",
        ),
        manual="§5 “Registro de ciudadano”, Paso 4, y §6 (menú “Actualizar mi información de contacto”)",
        path="/mi-informacion",
    ),
    Functionality(
        slug="mis-roles",
        name="Mi lista de roles",
        summary="Vea los roles que tiene autorizados y cambie el rol con el que actúa.",
        keywords=("roles", "rol", "cambiar mi rol", "lista de roles", "perfil"),
        steps=(
            "Ingrese al portal.",
            "Abra “Mi lista de roles”.",
            "Seleccione el rol con el cual va a realizar la novedad y oprima “Seleccionar rol”.",
        ),
        manual="§6 Paso 1",
        path="/mis-roles",
    ),
    Functionality(
        slug="empleador-persona-juridica",
        name="Registro de rol empleador persona jurídica",
        summary="El representante legal registra la empresa y designa a su delegado.",
        keywords=("empleador", "empresa", "persona jurídica", "delegado", "representante legal", "rut", "nit"),
        steps=(
            "Ingrese al portal con el rol Persona natural.",
            "Registre los datos de la empresa y, si se lo piden, el RUT.",
            "Registre a su delegado y los datos de contacto de la empresa.",
        ),
        manual="§5 “Registro de rol empleador persona jurídica – designación de delegado”",
        path="/empleadores/nuevo",
    ),
    Functionality(
        slug="administracion-de-autorizados",
        name="Administración de autorizados",
        summary="El representante legal o su delegado autoriza a quien administra los servicios web.",
        keywords=("autorizados", "administrar autorizados", "autorizar", "terceros", "administración de terceros"),
        steps=(
            "Ingrese y seleccione en “Mi lista de roles” el rol “Empleador persona jurídica” de la empresa.",
            "Busque la funcionalidad “Administrar autorizados” y oprima “Comenzar”.",
            "Seleccione la opción “Nuevo”, registre los datos de la persona, la sede, el rol autorizado y el perfil.",
            "Verifique que el autorizado haya quedado en la lista; “Revocar” le pide confirmación.",
        ),
        manual="§5 “Administración de autorizados para administración de servicios web”",
        # the company chosen in "Mi lista de roles" (authorized_persons.start)
        path="/empleadores/autorizados",
    ),
    Functionality(
        slug="administracion-de-servicios-web",
        name="Administración de servicios web externos",
        summary="La persona autorizada de la CCF acepta las condiciones, consulta y comparte servicios web.",
        keywords=("servicios web", "administración de servicios", "ccf", "caja de compensación", "web service"),
        steps=(
            "Inicie sesión y seleccione el rol “Caja de compensación Familiar”.",
            "Busque la funcionalidad “Administración de Servicios Web” y oprima “Comenzar”.",
            "Lea las condiciones de uso y la política de privacidad y oprima “Acepto”.",
        ),
        manual="§6 “Administración de servicios web externos”",
        path="/ccfs/servicios",  # the CCF of the role chosen in /mis-roles (portal/ccf_routes.py)
    ),
)


def _normalized(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search(query: str) -> list[Functionality]:
    """Every functionality whose name, summary or keywords contain all the words of the query (accents and
    case ignored)."""
    words = _normalized(query).split()
    if not words:
        return []
    found = []
    for item in FUNCTIONALITIES:
        haystack = _normalized(" ".join((item.name, item.summary, *item.keywords)))
        if all(word in haystack for word in words):
            found.append(item)
    return found
