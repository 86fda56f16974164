"""Entry point of the registration function: routes only; the work is in registrations.py, accounts.py,
sessions.py and mfa.py."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from registration import accounts, mfa, registrations, sessions
from registration.config import deps
from registration.models import (
    REGISTRATION_ID_PATTERN,
    Answers,
    BasicData,
    Contact,
    ContactAccepted,
    IdentityVerified,
    Login,
    MfaAnswer,
    MfaChallenge,
    PasswordSetup,
    Profile,
    Refresh,
    RegistrationStarted,
    Roles,
    Session,
    TotpCode,
    TotpEnrolment,
)
from sat_common import email_status
from sat_common.api import (
    create_resolver,
    json_response,
    lambda_entry,
    no_content,
    request_actor,
    request_caller,
    request_language,
)
from sat_common.dynamo import aws_faults_as_unavailable

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
    with aws_faults_as_unavailable():
        started = registrations.start(deps(), body, request_actor(app), request_language(app))
    return json_response(RegistrationStarted.model_validate(started), 201)


@app.post("/registrations/<registrationId>/answers", summary="Paso 3: respuestas a las preguntas", tags=TAG)
def answer_questions(registrationId: RegistrationId, body: Answers) -> Response[IdentityVerified]:
    chosen = [(item.questionId, item.optionId) for item in body.answers]
    with aws_faults_as_unavailable():
        verified = registrations.answer(deps(), registrationId, chosen, request_actor(app), request_language(app))
    return json_response(IdentityVerified.model_validate(verified))


@app.put(
    "/registrations/<registrationId>/contact",
    summary="Paso 4: datos de contacto y autorizaciones; envía el correo para asignar la contraseña",
    tags=TAG,
    responses={202: {"description": "Datos guardados; correo en cola"}},
)
def save_contact(registrationId: RegistrationId, body: Contact) -> Response[ContactAccepted]:
    with aws_faults_as_unavailable():
        accepted = registrations.save_contact(deps(), registrationId, body, request_actor(app))
    return json_response(ContactAccepted.model_validate(accepted), 202)


@app.post(
    "/password-setup",
    summary="Paso 5: asignar la contraseña con el enlace del correo",
    tags=TAG,
    responses={204: {"description": "Contraseña asignada; la cuenta queda activa"}},
)
def password_setup(body: PasswordSetup) -> Response[None]:
    with aws_faults_as_unavailable():
        accounts.set_password(
            deps(),
            body.token,
            body.password.get_secret_value(),
            body.passwordConfirmation.get_secret_value(),
            request_actor(app),
        )
    return no_content()


@app.post(
    "/sessions",
    summary="Paso 6: iniciar sesión (tipo y número de documento + contraseña)",
    description="Con la verificación en dos pasos activa (obligatoria para el Ministerio) la respuesta es "
    "`{challenge, session}` y los tokens llegan con POST /sessions/mfa. 429 con Retry-After tras varios "
    "intentos fallidos desde la misma conexión.",
    tags=TAG,
)
def sign_in(body: Login) -> Response[Session | MfaChallenge]:
    with aws_faults_as_unavailable():
        answer = sessions.sign_in(
            deps(), body.documentType, body.documentNumber, body.password.get_secret_value(), request_actor(app)
        )
    if "challenge" in answer:
        return json_response(MfaChallenge.model_validate(answer))
    return json_response(Session.model_validate(answer))


@app.post("/sessions/mfa", summary="Paso 6: código de la verificación en dos pasos (TOTP)", tags=TAG)
def sign_in_mfa(body: MfaAnswer) -> Response[Session]:
    with aws_faults_as_unavailable():
        session = sessions.complete_mfa(deps(), body.session, body.code, request_actor(app))
    return json_response(Session.model_validate(session))


@app.post("/sessions/refresh", summary="Renovar los tokens con el refresh token", tags=TAG)
def refresh_session(body: Refresh) -> Response[Session]:
    with aws_faults_as_unavailable():
        session = sessions.refresh(deps(), body.refreshToken.get_secret_value())
    return json_response(Session.model_validate(session))


@app.post(
    "/me/mfa/totp",
    summary="Iniciar la activación de la verificación en dos pasos (TOTP)",
    description="Devuelve el secreto para la aplicación de códigos; se activa con PUT y el primer código.",
    tags=TAG,
)
def start_totp() -> Response[TotpEnrolment]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
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
    with aws_faults_as_unavailable():
        mfa.confirm_enrolment(deps(), caller, body.code, request_actor(app, caller))
    return no_content()


@app.get("/me", summary="Mi perfil", tags=TAG)
def me() -> Response[Profile]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        found: dict[str, Any] = accounts.profile(deps(), caller)
        # decision 0072: a bounced or complained address is shown, with what to do
        found.update(
            email_status.profile_view(deps().settings.main_table_name, found.get("email"), request_language(app))
        )
    return json_response(Profile.model_validate(found))


@app.get("/me/roles", summary="Mi lista de roles", tags=TAG)
def my_roles() -> Response[Roles]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        listed = accounts.roles(deps(), caller)
    return json_response(Roles.model_validate(listed))


lambda_handler = lambda_entry(app)
