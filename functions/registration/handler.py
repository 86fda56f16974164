"""Entry point of the registration function: routes only. The work is in one module per step of the manual's
§5 "Registro de ciudadano" (basic_data.py, identity_answers.py, contact_data.py, password_setup.py,
sessions.py; resume.py), per concern of the signed-in person (my_profile.py, contact_changes.py,
email_changes.py, mfa.py, password_reset.py) and, for the Ministry's administrators, operators.py and
unlock.py; their items are read and written by the repositories package. AWS faults are answered by the
resolver (sat_common.api)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from registration import (
    basic_data,
    contact_changes,
    contact_data,
    email_changes,
    identity_answers,
    mfa,
    my_profile,
    operators,
    password_reset,
    resume,
    sessions,
    unlock,
)
from registration import password_setup as setting_password  # the route below is named password_setup
from registration.config import deps
from registration.models import (
    REGISTRATION_ID_PATTERN,
    Answers,
    BasicData,
    ConsentChange,
    ConsentsView,
    Contact,
    ContactAccepted,
    ContactData,
    ContactView,
    EmailChange,
    EmailChangeRequested,
    EmailConfirmation,
    IdentityVerified,
    Login,
    Logout,
    MfaAnswer,
    MfaChallenge,
    PasswordResetAccepted,
    PasswordResetRequest,
    PasswordSetup,
    Profile,
    Refresh,
    RegistrationStarted,
    RegistrationState,
    Roles,
    Session,
    TotpCode,
    TotpEnrolment,
)
from registration.operator_models import (
    OPERATOR_ID_PATTERN,
    Operator,
    OperatorChange,
    OperatorInvite,
    OperatorInvited,
    OperatorPage,
    UnlockRequest,
)
from sat_common import email_status, ministry
from sat_common.api import (
    create_resolver,
    json_response,
    lambda_entry,
    no_content,
    request_actor,
    request_caller,
    request_language,
)
from sat_common.auth import Caller
from sat_common.errors import FieldError, invalid

app = create_resolver()


TAG = ["Registro de ciudadano"]
RegistrationId = Annotated[str, Path(pattern=REGISTRATION_ID_PATTERN, description="Id del registro (32 hex)")]


@app.post(
    "/registrations",
    summary="Paso 2: datos básicos; devuelve las preguntas de validación",
    tags=TAG,
    responses={201: {"description": "Registro iniciado"}},
)
def start_registration(body: BasicData) -> Response[RegistrationStarted]:
    started = basic_data.start(deps(), body, request_actor(app), request_language(app))
    return json_response(RegistrationStarted.model_validate(started), 201)


@app.get(
    "/registrations/<registrationId>",
    summary="Retomar un registro interrumpido: su estado y las mismas preguntas abiertas",
    description="Nunca sortea preguntas nuevas ni revela las respuestas. El id es secreto: un id desconocido, "
    "vencido o bloqueado responde 404.",
    tags=TAG,
)
def resume_registration(registrationId: RegistrationId) -> Response[RegistrationState]:
    state = resume.resume(deps(), registrationId, request_actor(app), request_language(app))
    return json_response(RegistrationState.model_validate(state))


@app.post("/registrations/<registrationId>/answers", summary="Paso 3: respuestas a las preguntas", tags=TAG)
def answer_questions(registrationId: RegistrationId, body: Answers) -> Response[IdentityVerified]:
    chosen = [(item.questionId, item.optionId) for item in body.answers]
    verified = identity_answers.answer(deps(), registrationId, chosen, request_actor(app), request_language(app))
    return json_response(IdentityVerified.model_validate(verified))


@app.put(
    "/registrations/<registrationId>/contact",
    summary="Paso 4: datos de contacto y autorizaciones; envía el correo para asignar la contraseña",
    tags=TAG,
    responses={202: {"description": "Datos guardados; correo en cola"}},
)
def save_contact(registrationId: RegistrationId, body: Contact) -> Response[ContactAccepted]:
    accepted = contact_data.save_contact(deps(), registrationId, body, request_actor(app))
    return json_response(ContactAccepted.model_validate(accepted), 202)


@app.post(
    "/password-setup",
    summary="Paso 5: asignar la contraseña con el enlace del correo",
    tags=TAG,
    responses={204: {"description": "Contraseña asignada; la cuenta queda activa"}},
)
def password_setup(body: PasswordSetup) -> Response[None]:
    setting_password.set_password(
        deps(),
        body.token,
        body.password.get_secret_value(),
        body.passwordConfirmation.get_secret_value(),
        request_actor(app),
    )
    return no_content()


@app.post(
    "/password-reset",
    summary="¿Olvidó su contraseña?: envía un enlace para asignar una nueva",
    description="Responde 202 exista o no la cuenta; solo una cuenta activa recibe el correo, cuyo enlace de un "
    "solo uso se completa con POST /password-setup. 429 con Retry-After tras varias solicitudes por documento "
    "en una hora (para cualquier documento).",
    tags=TAG,
    responses={202: {"description": "Solicitud recibida"}},
)
def request_password_reset(body: PasswordResetRequest) -> Response[PasswordResetAccepted]:
    password_reset.request(deps(), body.documentType, body.documentNumber, request_actor(app))
    return json_response(PasswordResetAccepted(), 202)


@app.post(
    "/sessions",
    summary="Paso 6: iniciar sesión (tipo y número de documento + contraseña)",
    description="Con la verificación en dos pasos activa (obligatoria para el Ministerio) la respuesta es "
    "`{challenge, session}` y los tokens llegan con POST /sessions/mfa. 429 con Retry-After tras varios "
    "intentos fallidos desde la misma conexión.",
    tags=TAG,
)
def sign_in(body: Login) -> Response[Session | MfaChallenge]:
    answer = sessions.sign_in(
        deps(), body.documentType, body.documentNumber, body.password.get_secret_value(), request_actor(app)
    )
    if "challenge" in answer:
        return json_response(MfaChallenge.model_validate(answer))
    return json_response(Session.model_validate(answer))


@app.post("/sessions/mfa", summary="Paso 6: código de la verificación en dos pasos (TOTP)", tags=TAG)
def sign_in_mfa(body: MfaAnswer) -> Response[Session]:
    session = sessions.complete_mfa(deps(), body.session, body.code, request_actor(app))
    return json_response(Session.model_validate(session))


@app.post("/sessions/refresh", summary="Renovar los tokens con el refresh token", tags=TAG)
def refresh_session(body: Refresh) -> Response[Session]:
    session = sessions.refresh(deps(), body.refreshToken.get_secret_value())
    return json_response(Session.model_validate(session))


@app.post(
    "/sessions/logout",
    summary="Cerrar sesión: revoca el refresh token",
    tags=TAG,
    responses={204: {"description": "Sesión cerrada; el refresh token ya no sirve"}},
)
def logout(body: Logout) -> Response[None]:
    caller = request_caller(app)
    sessions.logout(deps(), caller.username, body.refreshToken.get_secret_value(), request_actor(app, caller))
    return no_content()


@app.put(
    "/me/contact", summary="Mi información: datos de contacto (los del Paso 4, sin correo ni autorizaciones)", tags=TAG
)
def change_contact(body: ContactData) -> Response[ContactView]:
    caller = request_caller(app)
    saved = contact_changes.save_contact(deps(), caller, body, request_actor(app, caller))
    return json_response(ContactView.model_validate(saved))


@app.put(
    "/me/email",
    summary="Mi información: cambiar el correo; envía un enlace de confirmación al correo nuevo",
    tags=TAG,
    responses={202: {"description": "Enlace enviado al correo nuevo; el correo de la cuenta aún no cambia"}},
)
def change_email(body: EmailChange) -> Response[EmailChangeRequested]:
    caller = request_caller(app)
    requested = email_changes.request_change(deps(), caller, body.email, request_actor(app, caller))
    return json_response(EmailChangeRequested.model_validate(requested), 202)


@app.post(
    "/me/email/confirmation",
    summary="Mi información: confirmar el correo nuevo con el enlace; se avisa al correo anterior",
    tags=TAG,
    responses={204: {"description": "Correo cambiado"}},
)
def confirm_email(body: EmailConfirmation) -> Response[None]:
    caller = request_caller(app)
    email_changes.confirm_change(deps(), caller, body.token, request_actor(app, caller))
    return no_content()


@app.put(
    "/me/consents",
    summary="Mi información: autorizaciones de correo y SMS (cada cambio queda como evidencia)",
    tags=TAG,
)
def change_consents(body: ConsentChange) -> Response[ConsentsView]:
    caller = request_caller(app)
    saved = contact_changes.save_consents(
        deps(), caller, body.emailConsent, body.smsConsent, request_actor(app, caller)
    )
    return json_response(ConsentsView.model_validate(saved))


@app.post(
    "/me/mfa/totp",
    summary="Iniciar la activación de la verificación en dos pasos (TOTP)",
    description="Devuelve el secreto para la aplicación de códigos; se activa con PUT y el primer código.",
    tags=TAG,
)
def start_totp() -> Response[TotpEnrolment]:
    caller = request_caller(app)
    enrolment = mfa.start_enrolment(deps(), caller, request_actor(app, caller))
    return json_response(TotpEnrolment.model_validate(enrolment))


@app.put(
    "/me/mfa/totp",
    summary="Activar la verificación en dos pasos con el primer código",
    tags=TAG,
    responses={204: {"description": "Verificación en dos pasos activa"}},
)
def confirm_totp(body: TotpCode) -> Response[None]:
    caller = request_caller(app)
    mfa.confirm_enrolment(deps(), caller, body.code, request_actor(app, caller))
    return no_content()


@app.get("/me", summary="Mi perfil", tags=TAG)
def me() -> Response[Profile]:
    caller = request_caller(app)
    found: dict[str, Any] = my_profile.profile(deps(), caller)
    # decision 0072: a bounced or complained address is shown, with what to do
    found.update(email_status.profile_view(deps().settings.main_table_name, found.get("email"), request_language(app)))
    return json_response(Profile.model_validate(found))


@app.get("/me/roles", summary="Mi lista de roles", tags=TAG)
def my_roles() -> Response[Roles]:
    caller = request_caller(app)
    listed = my_profile.roles(deps(), caller)
    return json_response(Roles.model_validate(listed))


# --------------------------------------------------------------------------- the Ministry's administrators
# Operators and the help desk (docs/backoffice.md, decisions 0090, 0091): `ministerio` only, checked live.
ADMIN_TAG = ["Operadores y mesa de ayuda (Ministerio)"]
OPERATORS_QUERY = frozenset({"limit", "pageToken"})
OperatorId = Annotated[str, Path(pattern=OPERATOR_ID_PATTERN, description="Usuario del operador: TIPO-NÚMERO")]


def _administrator() -> Caller:
    caller = request_caller(app)
    ministry.require_operator(caller)  # no group besides `ministerio` is admitted (infra/api_routes.py admits=())
    return caller


@app.get("/admin/operators", summary="Operadores del Ministerio y sus grupos (paginado)", tags=ADMIN_TAG)
def list_operators(
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página")] = 50,
    pageToken: Annotated[str | None, Query(max_length=1024, description="nextPageToken de la página anterior")] = None,
) -> Response[OperatorPage]:
    _administrator()
    unknown = set(app.current_event.query_string_parameters or {}) - OPERATORS_QUERY
    if unknown:
        raise invalid([FieldError(name[:40], "unknown_query_parameter") for name in sorted(unknown)])
    page = operators.list_operators(deps(), limit, pageToken)
    return json_response(OperatorPage.model_validate(page))


@app.post(
    "/admin/operators",
    summary="Invitar a un operador: crea la cuenta (o usa la de la persona registrada) y le da los grupos",
    description="Sin cuenta activa, el correo lleva el enlace de un solo uso para asignar la contraseña "
    "(POST /password-setup); en el primer ingreso debe activar la verificación en dos pasos. 409 OPERATOR_EXISTS "
    "si ya es operador con contraseña.",
    tags=ADMIN_TAG,
    responses={201: {"description": "Operador invitado"}},
)
def invite_operator(body: OperatorInvite) -> Response[OperatorInvited]:
    caller = _administrator()
    invited = operators.invite(deps(), body, request_actor(app, caller))
    return json_response(OperatorInvited.model_validate(invited), 201)


@app.patch(
    "/admin/operators/<operatorId>",
    summary="Cambiar los grupos de un operador, deshabilitarlo o habilitarlo (con motivo)",
    description="Deshabilitar cierra todas sus sesiones. 409 OPERATOR_SELF_LOCKOUT: un administrador no puede "
    "quitarse el grupo ministerio ni deshabilitarse.",
    tags=ADMIN_TAG,
)
def change_operator(operatorId: OperatorId, body: OperatorChange) -> Response[Operator]:
    caller = _administrator()
    changed = operators.change(deps(), caller, operatorId, body, request_actor(app, caller))
    return json_response(Operator.model_validate(changed))


@app.post(
    "/admin/people/<documentType>/<documentNumber>/unlock",
    summary="Mesa de ayuda: levantar el bloqueo de las preguntas de identidad y las esperas de ingreso",
    description="Siempre 204, también si no había nada bloqueado. El motivo queda en la auditoría; la persona "
    "recibe un correo cuando se levantó algo.",
    tags=ADMIN_TAG,
    responses={204: {"description": "Desbloqueado (o no había nada que desbloquear)"}},
)
def unlock_person(
    documentType: Annotated[str, Path(pattern=r"^[A-Z]{2}$", description="Tipo de documento de la persona")],
    documentNumber: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,16}$", description="Número de documento")],
    body: UnlockRequest,
) -> Response[None]:
    caller = _administrator()
    unlock.unlock(deps(), documentType, documentNumber, body.reason, request_actor(app, caller))
    return no_content()


lambda_handler = lambda_entry(app)
