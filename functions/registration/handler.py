"""Entry point of the registration function: routes only; the work is in registrations.py and accounts.py."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from registration import accounts, registrations
from registration.config import deps
from registration.models import (
    REGISTRATION_ID_PATTERN,
    Answers,
    BasicData,
    Contact,
    ContactAccepted,
    IdentityVerified,
    Login,
    PasswordSetup,
    Profile,
    Refresh,
    RegistrationStarted,
    Roles,
    Session,
)
from sat_common.api import create_resolver, lambda_entry
from sat_common.audit import Actor
from sat_common.auth import actor_from_event, caller_from_event
from sat_common.dynamo import aws_faults_as_unavailable
from sat_common.i18n import language
from sat_common.settings import ApiSettings

app = create_resolver(ApiSettings())  # type: ignore[call-arg]


TAG = ["Registro de ciudadano"]
JSON = "application/json"
NO_STORE = {"Cache-Control": "no-store"}
RegistrationId = Annotated[str, Path(pattern=REGISTRATION_ID_PATTERN, description="Id del registro (32 hex)")]


def _actor() -> Actor:
    return actor_from_event(app.current_event.raw_event)


def _lang() -> str:
    return language(app.current_event.headers)


@app.post(
    "/registrations",
    summary="Paso 2: datos básicos; devuelve las preguntas de validación",
    tags=TAG,
    responses={201: {"description": "Registro iniciado"}},
)
def start_registration(body: BasicData) -> Response[RegistrationStarted]:
    with aws_faults_as_unavailable():
        started = registrations.start(deps(), body, _actor(), _lang())
    return Response(
        status_code=201, content_type=JSON, body=RegistrationStarted.model_validate(started), headers=NO_STORE
    )


@app.post("/registrations/<registrationId>/answers", summary="Paso 3: respuestas a las preguntas", tags=TAG)
def answer_questions(registrationId: RegistrationId, body: Answers) -> Response[IdentityVerified]:
    chosen = [(item.questionId, item.optionId) for item in body.answers]
    with aws_faults_as_unavailable():
        verified = registrations.answer(deps(), registrationId, chosen, _actor(), _lang())
    return Response(
        status_code=200, content_type=JSON, body=IdentityVerified.model_validate(verified), headers=NO_STORE
    )


@app.put(
    "/registrations/<registrationId>/contact",
    summary="Paso 4: datos de contacto y autorizaciones; envía el correo para asignar la contraseña",
    tags=TAG,
    responses={202: {"description": "Datos guardados; correo en cola"}},
)
def save_contact(registrationId: RegistrationId, body: Contact) -> Response[ContactAccepted]:
    with aws_faults_as_unavailable():
        accepted = registrations.save_contact(deps(), registrationId, body, _actor())
    return Response(status_code=202, content_type=JSON, body=ContactAccepted.model_validate(accepted), headers=NO_STORE)


@app.post(
    "/password-setup",
    summary="Paso 5: asignar la contraseña con el enlace del correo",
    tags=TAG,
    responses={204: {"description": "Contraseña asignada; la cuenta queda activa"}},
)
def password_setup(body: PasswordSetup) -> Response[None]:
    with aws_faults_as_unavailable():
        accounts.set_password(
            deps(), body.token, body.password.get_secret_value(), body.passwordConfirmation.get_secret_value(), _actor()
        )
    return Response(status_code=204, body=None, headers=NO_STORE)


@app.post("/sessions", summary="Paso 6: iniciar sesión (tipo y número de documento + contraseña)", tags=TAG)
def sign_in(body: Login) -> Response[Session]:
    with aws_faults_as_unavailable():
        session = accounts.sign_in(
            deps(), body.documentType, body.documentNumber, body.password.get_secret_value(), _actor()
        )
    return Response(status_code=200, content_type=JSON, body=Session.model_validate(session), headers=NO_STORE)


@app.post("/sessions/refresh", summary="Renovar los tokens con el refresh token", tags=TAG)
def refresh_session(body: Refresh) -> Response[Session]:
    with aws_faults_as_unavailable():
        session = accounts.refresh(deps(), body.refreshToken.get_secret_value())
    return Response(status_code=200, content_type=JSON, body=Session.model_validate(session), headers=NO_STORE)


@app.get("/me", summary="Mi perfil", tags=TAG)
def me() -> Response[Profile]:
    caller = caller_from_event(app.current_event.raw_event)
    with aws_faults_as_unavailable():
        found: dict[str, Any] = accounts.profile(deps(), caller)
    return Response(status_code=200, content_type=JSON, body=Profile.model_validate(found), headers=NO_STORE)


@app.get("/me/roles", summary="Mi lista de roles", tags=TAG)
def my_roles() -> Response[Roles]:
    caller = caller_from_event(app.current_event.raw_event)
    with aws_faults_as_unavailable():
        listed = accounts.roles(deps(), caller)
    return Response(status_code=200, content_type=JSON, body=Roles.model_validate(listed), headers=NO_STORE)


lambda_handler = lambda_entry(app)
