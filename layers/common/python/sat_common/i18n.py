"""Texts that end users read: Spanish by default, English when the request asks for it."""

from collections.abc import Mapping

SPANISH = "es"
ENGLISH = "en"


def language(headers: Mapping[str, str] | None) -> str:
    """Pick the answer language from Accept-Language: English only when it is preferred over Spanish."""
    for key, value in (headers or {}).items():
        if key.lower() == "accept-language" and value:
            for part in value.split(","):
                tag = part.split(";")[0].strip().lower()
                if tag.startswith(ENGLISH):
                    return ENGLISH
                if tag.startswith(SPANISH):
                    return SPANISH
    return SPANISH


# code -> language -> (title, detail). Details may hold str.format placeholders.
PROBLEMS: dict[str, dict[str, tuple[str, str]]] = {
    "VALIDATION_FAILED": {
        SPANISH: ("Datos inválidos", "Uno o más campos no son válidos. Revise la lista de errores."),
        ENGLISH: ("Invalid data", "One or more fields are not valid. See the list of errors."),
    },
    "NOT_FOUND": {
        SPANISH: ("Recurso no encontrado", "El recurso solicitado no existe."),
        ENGLISH: ("Resource not found", "The requested resource does not exist."),
    },
    "CATALOG_NOT_FOUND": {
        SPANISH: ("Catálogo no encontrado", "El catálogo '{catalog}' no existe. Catálogos disponibles: {available}."),
        ENGLISH: ("Catalog not found", "The catalog '{catalog}' does not exist. Available catalogs: {available}."),
    },
    "METHOD_NOT_ALLOWED": {
        SPANISH: ("Método no permitido", "El método HTTP no está permitido para este recurso."),
        ENGLISH: ("Method not allowed", "The HTTP method is not allowed for this resource."),
    },
    "UNAUTHENTICATED": {
        SPANISH: ("No autenticado", "Debe iniciar sesión para usar este recurso."),
        ENGLISH: ("Not authenticated", "You must sign in to use this resource."),
    },
    "FORBIDDEN": {
        SPANISH: ("Acceso denegado", "No tiene permiso para realizar esta acción."),
        ENGLISH: ("Access denied", "You are not allowed to perform this action."),
    },
    "PAYLOAD_TOO_LARGE": {
        SPANISH: ("Solicitud demasiado grande", "El cuerpo de la solicitud supera el tamaño máximo de {limit} bytes."),
        ENGLISH: ("Request too large", "The request body exceeds the maximum size of {limit} bytes."),
    },
    "UNSUPPORTED_MEDIA_TYPE": {
        SPANISH: ("Tipo de contenido no admitido", "Envíe el cuerpo como JSON, con Content-Type: application/json."),
        ENGLISH: ("Unsupported media type", "Send the body as JSON, with Content-Type: application/json."),
    },
    # Citizen registration, password set-up and sessions (functions/registration)
    "REGISTRATION_NOT_VERIFIED": {
        SPANISH: (
            "Datos no verificados",
            "Los datos ingresados no coinciden con las fuentes de referencia. Revíselos tal como aparecen en "
            "su documento de identidad.",
        ),
        ENGLISH: (
            "Data not verified",
            "The data entered does not match the reference sources. Check it against your identity document.",
        ),
    },
    "ALREADY_REGISTERED": {
        SPANISH: ("Ya registrado", "Esta persona ya está registrada. Inicie sesión o recupere su contraseña."),
        ENGLISH: ("Already registered", "This person is already registered. Sign in or recover your password."),
    },
    "REGISTRATION_IN_PROGRESS": {
        SPANISH: (
            "Registro en curso",
            "Ya hay un registro en curso para este documento. Termínelo o intente de nuevo en {minutes} minutos.",
        ),
        ENGLISH: (
            "Registration in progress",
            "A registration for this document is already in progress. Finish it or try again in {minutes} minutes.",
        ),
    },
    "DOCUMENT_LOCKED": {
        SPANISH: (
            "Registro bloqueado",
            "Por seguridad, el registro con este documento está bloqueado hasta {lockedUntil} (UTC) por "
            "respuestas incorrectas a las preguntas de validación.",
        ),
        ENGLISH: (
            "Registration locked",
            "For security, registration with this document is locked until {lockedUntil} (UTC) because of "
            "wrong answers to the identity questions.",
        ),
    },
    "REGISTRATION_NOT_FOUND": {
        SPANISH: ("Registro no encontrado", "El registro no existe o venció. Inicie el registro de nuevo."),
        ENGLISH: ("Registration not found", "The registration does not exist or has expired. Start again."),
    },
    "IDENTITY_NOT_VERIFIED": {
        SPANISH: (
            "Respuestas incorrectas",
            "No respondió correctamente todas las preguntas. Le quedan {attemptsLeft} intentos antes de que el "
            "registro se bloquee: responda las nuevas preguntas.",
        ),
        ENGLISH: (
            "Wrong answers",
            "Not every question was answered correctly. You have {attemptsLeft} attempts left before "
            "registration is locked: answer the new questions.",
        ),
    },
    "QUESTIONS_ALREADY_ANSWERED": {
        SPANISH: (
            "Preguntas ya respondidas",
            "Estas preguntas ya fueron respondidas. Responda las preguntas vigentes.",
        ),
        ENGLISH: ("Questions already answered", "These questions were already answered. Answer the current ones."),
    },
    "REGISTRATION_STEP_NOT_ALLOWED": {
        SPANISH: ("Paso no permitido", "Este paso no corresponde al estado actual del registro ({status})."),
        ENGLISH: ("Step not allowed", "This step does not match the current state of the registration ({status})."),
    },
    "EMAIL_RESEND_LIMITED": {
        SPANISH: (
            "Correo enviado recientemente",
            "Ya enviamos el correo para asignar la contraseña. Podrá pedir otro envío en {seconds} segundos.",
        ),
        ENGLISH: (
            "E-mail sent recently",
            "The set-password e-mail was already sent. You can ask for another one in {seconds} seconds.",
        ),
    },
    "EMAIL_NOT_SENT": {
        SPANISH: (
            "Correo no enviado",
            "Sus datos quedaron guardados, pero no pudimos enviar el correo en este momento. Envíe de nuevo "
            "los datos de contacto en unos segundos.",
        ),
        ENGLISH: (
            "E-mail not sent",
            "Your data was saved, but the e-mail could not be sent right now. Submit the contact data again "
            "in a few seconds.",
        ),
    },
    "SETUP_TOKEN_INVALID": {
        SPANISH: (
            "Enlace no válido",
            "El enlace para asignar la contraseña no es válido, ya fue usado o venció. Pida otro: inicie el "
            "registro de nuevo o use «¿Olvidó su contraseña?» si ya tiene cuenta.",
        ),
        ENGLISH: (
            "Invalid link",
            "The set-password link is not valid, was already used or has expired. Ask for another: register "
            "again, or use “Forgot your password?” if you already have an account.",
        ),
    },
    "PASSWORD_MISMATCH": {
        SPANISH: ("Las contraseñas no coinciden", "La contraseña y su confirmación deben ser iguales."),
        ENGLISH: ("Passwords do not match", "The password and its confirmation must be the same."),
    },
    "PASSWORD_POLICY": {
        SPANISH: (
            "Contraseña no permitida",
            "La contraseña no cumple la política de contraseñas. Revise la lista de errores.",
        ),
        ENGLISH: ("Password not allowed", "The password does not meet the password policy. See the list of errors."),
    },
    "INVALID_CREDENTIALS": {
        SPANISH: ("Credenciales incorrectas", "El documento o la contraseña no son correctos."),
        ENGLISH: ("Wrong credentials", "The document or the password is not correct."),
    },
    "INVALID_REFRESH_TOKEN": {
        SPANISH: ("Sesión no válida", "La sesión venció o no es válida. Inicie sesión de nuevo."),
        ENGLISH: ("Invalid session", "The session has expired or is not valid. Sign in again."),
    },
    # Sign-in delays and the second factor (decisions 0028, 0029)
    "LOGIN_DELAYED": {
        SPANISH: (
            "Demasiados intentos",
            "Hubo demasiados intentos fallidos desde su conexión. Espere {seconds} segundos e intente de nuevo.",
        ),
        ENGLISH: (
            "Too many attempts",
            "There were too many failed attempts from your connection. Wait {seconds} seconds and try again.",
        ),
    },
    "MFA_CODE_INVALID": {
        SPANISH: ("Código incorrecto", "El código de verificación no es correcto o ya fue usado."),
        ENGLISH: ("Wrong code", "The verification code is not correct or was already used."),
    },
    "MFA_SESSION_INVALID": {
        SPANISH: (
            "Verificación vencida",
            "La verificación en dos pasos venció o no es válida. Inicie sesión de nuevo.",
        ),
        ENGLISH: ("Verification expired", "The two-step verification expired or is not valid. Sign in again."),
    },
    "MFA_REQUIRED": {
        SPANISH: (
            "Verificación en dos pasos requerida",
            "Los operadores del Ministerio deben activar la verificación en dos pasos (aplicación de códigos TOTP) "
            "e iniciar sesión con ella.",
        ),
        ENGLISH: (
            "Two-step verification required",
            "Ministry operators must turn on two-step verification (a TOTP code app) and sign in with it.",
        ),
    },
    "MFA_ALREADY_ENABLED": {
        SPANISH: (
            "Verificación ya activa",
            "La verificación en dos pasos ya está activa. Para cambiar de dispositivo, pida ayuda a la mesa de ayuda.",
        ),
        ENGLISH: (
            "Verification already on",
            "Two-step verification is already on. To change devices, ask the help desk.",
        ),
    },
    "MFA_ENROLMENT_NOT_STARTED": {
        SPANISH: (
            "Activación no iniciada",
            "No hay una activación de la verificación en dos pasos en curso, o venció. Iníciela de nuevo.",
        ),
        ENGLISH: (
            "Enrolment not started",
            "There is no two-step verification enrolment in progress, or it expired. Start it again.",
        ),
    },
    # Ministry catalog and the CCF's use of it (functions/catalog, issue 5)
    "EMPLOYER_NOT_FOUND": {
        SPANISH: ("Empresa no encontrada", "No hay una empresa registrada con el NIT {nit}."),
        ENGLISH: ("Company not found", "There is no registered company with NIT {nit}."),
    },
    "EMPLOYER_NOT_REGISTERED": {
        SPANISH: (
            "Empresa sin rol empleador",
            "La empresa con NIT {nit} no ha terminado el registro del rol empleador; no se puede activar como CCF.",
        ),
        ENGLISH: (
            "Company without employer role",
            "The company with NIT {nit} has not finished its employer registration; it cannot be activated as a CCF.",
        ),
    },
    "CCF_ALREADY_ACTIVE": {
        SPANISH: ("CCF ya activada", "El rol CCF de la empresa con NIT {nit} ya está activo."),
        ENGLISH: ("CCF already active", "The CCF role of the company with NIT {nit} is already active."),
    },
    "CCF_NOT_ACTIVE": {
        SPANISH: ("CCF no activada", "La empresa con NIT {nit} no tiene activo el rol CCF."),
        ENGLISH: ("CCF not active", "The company with NIT {nit} does not have an active CCF role."),
    },
    "INVALID_OPENAPI": {
        SPANISH: (
            "Documento OpenAPI no válido",
            "El documento OpenAPI del servicio no es válido. Revise la lista de errores.",
        ),
        ENGLISH: ("Invalid OpenAPI document", "The service's OpenAPI document is not valid. See the list of errors."),
    },
    "SERVICE_CODE_TAKEN": {
        SPANISH: ("Código en uso", "Ya existe un servicio con el código {code}."),
        ENGLISH: ("Code in use", "A service with code {code} already exists."),
    },
    "SERVICE_NOT_FOUND": {
        SPANISH: ("Servicio no encontrado", "El servicio '{serviceId}' no existe."),
        ENGLISH: ("Service not found", "The service '{serviceId}' does not exist."),
    },
    "SERVICE_INACTIVE": {
        SPANISH: ("Servicio inactivo", "El servicio '{serviceId}' está inactivo y no se puede asignar."),
        ENGLISH: ("Service inactive", "The service '{serviceId}' is inactive and cannot be assigned."),
    },
    "SERVICE_ALREADY_ASSIGNED": {
        SPANISH: ("Servicio ya asignado", "El servicio '{serviceId}' ya está asignado a la CCF {nit}."),
        ENGLISH: ("Service already assigned", "The service '{serviceId}' is already assigned to CCF {nit}."),
    },
    "ASSIGNMENT_NOT_FOUND": {
        SPANISH: ("Asignación no encontrada", "El servicio '{serviceId}' no está asignado a la CCF {nit}."),
        ENGLISH: ("Assignment not found", "The service '{serviceId}' is not assigned to CCF {nit}."),
    },
    "TERMS_NOT_ACCEPTED": {
        SPANISH: (
            "Condiciones no aceptadas",
            "Debe aceptar las condiciones de uso y la política de privacidad (versión {version}) para usar "
            "esta funcionalidad.",
        ),
        ENGLISH: (
            "Terms not accepted",
            "You must accept the terms of use and the privacy policy (version {version}) to use this feature.",
        ),
    },
    "TERMS_VERSION_MISMATCH": {
        SPANISH: ("Versión no vigente", "Las condiciones vigentes son la versión {version}. Léalas y decida de nuevo."),
        ENGLISH: ("Outdated version", "The current terms are version {version}. Read them and decide again."),
    },
    # Employer role, delegate and authorized persons (functions/delegation)
    "NOT_LEGAL_REPRESENTATIVE": {
        SPANISH: (
            "No es el representante legal",
            "Solo el representante legal de la empresa, según las fuentes de referencia, puede registrar el rol "
            "empleador persona jurídica.",
        ),
        ENGLISH: (
            "Not the legal representative",
            "Only the company's legal representative, according to the reference sources, can register the "
            "employer role.",
        ),
    },
    "LEGAL_REPRESENTATIVE_ONLY": {
        SPANISH: (
            "Solo el representante legal",
            "Solo el representante legal de la empresa puede realizar esta acción.",
        ),
        ENGLISH: ("Legal representative only", "Only the company's legal representative can perform this action."),
    },
    "COMPANY_NOT_ACTIVE": {
        SPANISH: ("Empresa no activa", "La empresa no está activa en las fuentes de referencia."),
        ENGLISH: ("Company not active", "The company is not active in the reference sources."),
    },
    "EMPLOYER_ALREADY_EXISTS": {
        SPANISH: (
            "Empresa ya registrada",
            "El rol empleador de esta empresa ya fue registrado o está en curso. Use «Actualizar datos».",
        ),
        ENGLISH: (
            "Company already registered",
            'The employer role of this company is already registered or in progress. Use "Update data".',
        ),
    },
    "DELEGATE_INVITATIONS_LIMITED": {
        SPANISH: (
            "Demasiadas invitaciones",
            "Esta empresa ya envió hoy {limit} invitaciones a delegados. Podrá enviar otra mañana.",
        ),
        ENGLISH: (
            "Too many invitations",
            "This company has already sent {limit} delegate invitations today. It can send another tomorrow.",
        ),
    },
    "RUT_NOT_REQUIRED": {
        SPANISH: ("RUT no requerido", "La empresa no necesita cargar el RUT en su estado actual ({status})."),
        ENGLISH: ("RUT not required", "The company does not need to upload the RUT in its current state ({status})."),
    },
    "RUT_ALREADY_UPLOADED": {
        SPANISH: ("RUT ya cargado", "El RUT ya fue cargado y está en revisión del Ministerio."),
        ENGLISH: ("RUT already uploaded", "The RUT was already uploaded and is being reviewed by the Ministry."),
    },
    "RUT_NOT_IN_REVIEW": {
        SPANISH: ("RUT no está en revisión", "La empresa no tiene un RUT pendiente de revisión (estado {status})."),
        ENGLISH: ("RUT not in review", "The company has no RUT waiting for review (state {status})."),
    },
    "EMPLOYER_STEPS_MISSING": {
        SPANISH: ("Faltan pasos", "No se puede confirmar el registro; faltan estos pasos: {steps}."),
        ENGLISH: ("Steps missing", "The registration cannot be confirmed; these steps are missing: {steps}."),
    },
    "EMPLOYER_ALREADY_CONFIRMED": {
        SPANISH: ("Registro ya confirmado", "El registro del rol empleador ya fue confirmado."),
        ENGLISH: ("Already confirmed", "The employer role registration was already confirmed."),
    },
    "PERSON_NOT_VERIFIED": {
        SPANISH: (
            "Datos no verificados",
            "Los datos de la persona no coinciden con las fuentes de referencia. Escríbalos como aparecen en su "
            "documento de identidad.",
        ),
        ENGLISH: (
            "Data not verified",
            "The person's data does not match the reference sources. Enter it as it appears on the identity document.",
        ),
    },
    "CCF_ROLE_NOT_ACTIVE": {
        SPANISH: (
            "Rol CCF no activo",
            "El Ministerio no ha activado el rol Caja de Compensación Familiar de esta empresa.",
        ),
        ENGLISH: ("CCF role not active", "The Ministry has not activated the CCF role of this company."),
    },
    "ALREADY_AUTHORIZED": {
        SPANISH: ("Ya autorizada", "Esta persona ya tiene asignado este rol para la empresa. Solo se asigna una vez."),
        ENGLISH: ("Already authorized", "This person already holds this role for the company. It is assigned once."),
    },
    # Shared services of a CCF (functions/share, issue 6)
    "SHARED_SERVICE_NOT_FOUND": {
        SPANISH: ("Servicio compartido no encontrado", "El servicio compartido '{sharedServiceId}' no existe."),
        ENGLISH: ("Shared service not found", "The shared service '{sharedServiceId}' does not exist."),
    },
    "SHARED_SERVICE_KEYS_FULL": {
        SPANISH: (
            "Ya hay dos llaves",
            "El servicio ya tiene {max} llaves públicas registradas. Quite la anterior antes de registrar otra.",
        ),
        ENGLISH: ("Two keys already", "The service already has {max} public keys. Delete the old one first."),
    },
    "SHARED_SERVICE_KEY_EXISTS": {
        SPANISH: ("Llave ya registrada", "Esa llave pública ya está registrada en el servicio (kid {kid})."),
        ENGLISH: ("Key already registered", "That public key is already registered on the service (kid {kid})."),
    },
    "SHARED_SERVICE_KEY_NOT_FOUND": {
        SPANISH: ("Llave no encontrada", "El servicio no tiene una llave pública con kid {kid}."),
        ENGLISH: ("Key not found", "The service has no public key with kid {kid}."),
    },
    "SHARED_SERVICE_NAME_TAKEN": {
        SPANISH: ("Nombre en uso", "La CCF ya tiene un servicio compartido con el nombre {name}."),
        ENGLISH: ("Name in use", "The CCF already has a shared service named {name}."),
    },
    "NOTIFICATION_SERVICE_EXISTS": {
        SPANISH: (
            "Ya hay un servicio de notificación",
            "La CCF ya tiene un servicio compartido para recibir las notificaciones de trámites "
            "(propósito NOTIFICACION_TRAMITES). Cambie ese servicio o elimínelo antes de registrar otro.",
        ),
        ENGLISH: (
            "A notification service exists",
            "The CCF already has a shared service that receives the trámite notifications "
            "(purpose NOTIFICACION_TRAMITES). Change that service or delete it before registering another.",
        ),
    },
    "SHARED_SERVICE_INCOMPLETE": {
        SPANISH: (
            "Servicio incompleto",
            "Registre primero las credenciales OAuth 2.0 del servicio; luego podrá probar la conexión.",
        ),
        ENGLISH: (
            "Incomplete service",
            "Register the service's OAuth 2.0 credentials first; then the connection can be tested.",
        ),
    },
    "VERIFICATION_RATE_LIMITED": {
        SPANISH: (
            "Prueba reciente",
            "La conexión de este servicio se probó hace poco. Intente de nuevo en {seconds} segundos.",
        ),
        ENGLISH: ("Recent test", "This service's connection was tested recently. Try again in {seconds} seconds."),
    },
    "CONCURRENT_UPDATE": {
        SPANISH: (
            "Cambio simultáneo",
            "Los datos cambiaron mientras se procesaba su solicitud. Consulte e intente de nuevo.",
        ),
        ENGLISH: ("Concurrent change", "The data changed while your request was processed. Reload and try again."),
    },
    # SAT ⇄ CCF exchange: trámites, answers, transfers (functions/exchange, issue 6 part B)
    "TRAMITE_EXISTS": {
        SPANISH: ("Trámite existente", "Ya existe un trámite con el número de transacción {numero}."),
        ENGLISH: ("Trámite exists", "A trámite with transaction number {numero} already exists."),
    },
    "TRAMITE_NOT_FOUND": {
        SPANISH: ("Trámite no encontrado", "No existe un trámite con ese número de transacción."),
        ENGLISH: ("Trámite not found", "There is no trámite with that transaction number."),
    },
    "TRAMITE_NOT_FAILED": {
        SPANISH: (
            "El trámite no está fallido",
            "Solo se reenvía la notificación de un trámite FALLIDA; este está {estado}.",
        ),
        ENGLISH: ("Trámite not failed", "Only a FALLIDA trámite's notification can be redriven; this one is {estado}."),
    },
    # The CCF's own deliveries (functions/exchange ccf_deliveries, functions/share test_notification; 0107, 0108)
    "REDELIVERY_NOT_APPLICABLE": {
        SPANISH: (
            "Entrega no aplicable",
            "El trámite ya fue respondido (está {estado}); su notificación no se vuelve a entregar.",
        ),
        ENGLISH: ("Redelivery not applicable", "The trámite was answered ({estado}); it is not notified again."),
    },
    "REDELIVERY_RATE_LIMITED": {
        SPANISH: (
            "Entrega solicitada hace poco",
            "Ya se pidió entregar de nuevo hace poco. Intente de nuevo en {seconds} segundos.",
        ),
        ENGLISH: (
            "Redelivery requested recently",
            "A redelivery was requested recently. Try again in {seconds} seconds.",
        ),
    },
    "SHARED_SERVICE_NOT_VERIFIED": {
        SPANISH: (
            "Servicio sin verificar",
            "Pruebe primero la conexión del servicio: la notificación de prueba solo va a un servicio verificado.",
        ),
        ENGLISH: (
            "Service not verified",
            "Test the service's connection first; a test notification goes only to a verified service.",
        ),
    },
    "TEST_NOTIFICATION_RATE_LIMITED": {
        SPANISH: (
            "Notificación de prueba reciente",
            "Se envió una notificación de prueba a este servicio hace poco. Intente de nuevo en {seconds} segundos.",
        ),
        ENGLISH: (
            "Recent test notification",
            "A test notification was sent to this service recently. Try again in {seconds} seconds.",
        ),
    },
    "ANSWER_ALREADY_RECORDED": {
        SPANISH: (
            "Trámite ya respondido",
            "El trámite {numero} ya tiene una respuesta distinta registrada; solo se acepta una por trámite.",
        ),
        ENGLISH: (
            "Trámite already answered",
            "Trámite {numero} already has a different answer recorded; only one answer per trámite is accepted.",
        ),
    },
    "TRANSFER_ALREADY_RECORDED": {
        SPANISH: (
            "Traslado ya registrado",
            "Ya existe otra solicitud de traslado con el número de transacción {numero}.",
        ),
        ENGLISH: ("Transfer already recorded", "Another transfer request has transaction number {numero}."),
    },
    # Operations (decisions 0071, 0072): a reference source that does not answer is never a "not verified".
    "REFERENCE_SOURCE_UNAVAILABLE": {
        SPANISH: (
            "Fuente de referencia no disponible",
            "No fue posible consultar las fuentes de referencia en este momento. Intente de nuevo en unos minutos.",
        ),
        ENGLISH: (
            "Reference source unavailable",
            "The reference sources could not be consulted right now. Please try again in a few minutes.",
        ),
    },
    "SERVICE_UNAVAILABLE": {
        SPANISH: (
            "Servicio no disponible",
            "El servicio no está disponible en este momento. Intente de nuevo más tarde.",
        ),
        ENGLISH: ("Service unavailable", "The service is not available right now. Please try again later."),
    },
    "INTERNAL_ERROR": {
        SPANISH: ("Error interno", "Ocurrió un error inesperado. Intente de nuevo más tarde."),
        ENGLISH: ("Internal error", "An unexpected error occurred. Please try again later."),
    },
}

# pydantic error type -> language -> message (placeholders from the error's ctx).
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "missing": {SPANISH: "Este campo es obligatorio.", ENGLISH: "This field is required."},
    "extra_forbidden": {SPANISH: "Este campo no está permitido.", ENGLISH: "This field is not allowed."},
    "string_type": {SPANISH: "Debe ser un texto.", ENGLISH: "Must be a string."},
    "string_too_short": {
        SPANISH: "Debe tener al menos {min_length} caracteres.",
        ENGLISH: "Must have at least {min_length} characters.",
    },
    "string_too_long": {
        SPANISH: "Debe tener como máximo {max_length} caracteres.",
        ENGLISH: "Must have at most {max_length} characters.",
    },
    "string_pattern_mismatch": {SPANISH: "El formato no es válido.", ENGLISH: "The format is not valid."},
    "int_parsing": {SPANISH: "Debe ser un número entero.", ENGLISH: "Must be an integer."},
    "int_type": {SPANISH: "Debe ser un número entero.", ENGLISH: "Must be an integer."},
    "bool_type": {SPANISH: "Debe ser verdadero o falso.", ENGLISH: "Must be true or false."},
    "bool_parsing": {SPANISH: "Debe ser verdadero o falso.", ENGLISH: "Must be true or false."},
    "greater_than_equal": {
        SPANISH: "Debe ser mayor o igual a {ge}.",
        ENGLISH: "Must be greater than or equal to {ge}.",
    },
    "less_than_equal": {SPANISH: "Debe ser menor o igual a {le}.", ENGLISH: "Must be less than or equal to {le}."},
    "literal_error": {
        SPANISH: "Valor no permitido. Opciones: {expected}.",
        ENGLISH: "Value not allowed. Options: {expected}.",
    },
    "enum": {SPANISH: "Valor no permitido. Opciones: {expected}.", ENGLISH: "Value not allowed. Options: {expected}."},
    "date_from_datetime_parsing": {
        SPANISH: "Debe ser una fecha con formato AAAA-MM-DD.",
        ENGLISH: "Must be a date formatted YYYY-MM-DD.",
    },
    "date_parsing": {
        SPANISH: "Debe ser una fecha con formato AAAA-MM-DD.",
        ENGLISH: "Must be a date formatted YYYY-MM-DD.",
    },
    "date_type": {
        SPANISH: "Debe ser una fecha con formato AAAA-MM-DD.",
        ENGLISH: "Must be a date formatted YYYY-MM-DD.",
    },
    "value_error": {SPANISH: "{error}", ENGLISH: "{error}"},
    "json_invalid": {SPANISH: "El cuerpo no es un JSON válido.", ENGLISH: "The body is not valid JSON."},
    "json_too_deep": {
        SPANISH: "El JSON tiene más de {max} niveles de anidamiento.",
        ENGLISH: "The JSON is nested more than {max} levels deep.",
    },
    "model_attributes_type": {SPANISH: "Debe ser un objeto JSON.", ENGLISH: "Must be a JSON object."},
    "dict_type": {SPANISH: "Debe ser un objeto JSON.", ENGLISH: "Must be a JSON object."},
    "list_type": {SPANISH: "Debe ser una lista.", ENGLISH: "Must be a list."},
    "unknown_query_parameter": {
        SPANISH: "Parámetro de consulta no permitido.",
        ENGLISH: "Query parameter not allowed.",
    },
    "filter_not_applicable": {
        SPANISH: "Este filtro solo aplica al catálogo de municipios.",
        ENGLISH: "This filter only applies to the municipalities catalog.",
    },
    "unknown_department": {
        SPANISH: "No es un código DIVIPOLA de departamento.",
        ENGLISH: "Not a DIVIPOLA department code.",
    },
    # Citizen registration, password set-up and sessions (functions/registration)
    "too_long": {
        SPANISH: "Tiene demasiados elementos (máximo {max_length}).",
        ENGLISH: "Has too many items (at most {max_length}).",
    },
    "too_short": {
        SPANISH: "Tiene muy pocos elementos (mínimo {min_length}).",
        ENGLISH: "Has too few items (at least {min_length}).",
    },
    "unknown_document_type": {
        SPANISH: "No es un tipo de documento de persona. Opciones: {expected}.",
        ENGLISH: "Not a person document type. Options: {expected}.",
    },
    "document_number_format": {
        SPANISH: "No cumple el formato del tipo de documento {documentType}: {rule}.",
        ENGLISH: "Does not match the format of document type {documentType}: {rule}.",
    },
    "name_format": {
        SPANISH: "Solo se permiten letras, espacios, apóstrofos y guiones.",
        ENGLISH: "Only letters, spaces, apostrophes and hyphens are allowed.",
    },
    "date_in_future": {SPANISH: "La fecha no puede ser futura.", ENGLISH: "The date cannot be in the future."},
    "expedition_before_birth": {
        SPANISH: "La fecha de expedición debe ser posterior a la fecha de nacimiento.",
        ENGLISH: "The expedition date must be after the birth date.",
    },
    "divipola_mismatch": {
        SPANISH: "El municipio no pertenece al departamento (DIVIPOLA).",
        ENGLISH: "The municipality does not belong to the department (DIVIPOLA).",
    },
    "fixed_phone_format": {
        SPANISH: "Debe ser un teléfono fijo de Colombia: 60 + indicativo + 7 dígitos, p. ej. 6012345678.",
        ENGLISH: "Must be a Colombian landline: 60 + area digit + 7 digits, e.g. 6012345678.",
    },
    "mobile_phone_format": {
        SPANISH: "Debe ser un celular de Colombia: 3XX + 7 dígitos, p. ej. 3001234567.",
        ENGLISH: "Must be a Colombian mobile number: 3XX + 7 digits, e.g. 3001234567.",
    },
    "email_format": {
        SPANISH: "No es un correo electrónico válido.",
        ENGLISH: "Not a valid e-mail address.",
    },
    "answers_not_current": {
        SPANISH: "Las respuestas deben corresponder, una por una, a las preguntas vigentes del registro.",
        ENGLISH: "The answers must match, one by one, the current questions of the registration.",
    },
    "mfa_code_invalid": {
        SPANISH: "El código no es correcto: use el de 6 dígitos que muestra su aplicación ahora.",
        ENGLISH: "The code is not correct: use the 6-digit code your app shows now.",
    },
    "password_mismatch": {
        SPANISH: "No coincide con la contraseña.",
        ENGLISH: "Does not match the password.",
    },
    "password_too_short": {
        SPANISH: "Debe tener al menos {min_length} caracteres (puede usar una frase con espacios).",
        ENGLISH: "Must have at least {min_length} characters (a phrase with spaces is fine).",
    },
    "password_too_long": {
        SPANISH: "Debe tener como máximo {max_length} caracteres.",
        ENGLISH: "Must have at most {max_length} characters.",
    },
    "password_personal_data": {
        SPANISH: "No puede contener su número de documento, sus nombres ni sus apellidos.",
        ENGLISH: "Must not contain your document number, names or surnames.",
    },
    "password_common": {
        SPANISH: "Es una contraseña común o fácil de adivinar. Use una frase más larga y menos predecible.",
        ENGLISH: "It is a common or easily guessed password. Use a longer, less predictable phrase.",
    },
    # Ministry catalog and the CCF's use of it (functions/catalog, issue 5)
    "openapi_version": {
        SPANISH: "Debe ser un documento OpenAPI 3 (campo openapi 3.x).",
        ENGLISH: "Must be an OpenAPI 3 document (openapi field 3.x).",
    },
    "openapi_invalid": {
        SPANISH: "El documento OpenAPI no es válido: {error}",
        ENGLISH: "The OpenAPI document is not valid: {error}",
    },
    "openapi_operation": {
        SPANISH: "El documento debe tener exactamente una ruta /sat/... con la operación {operation}.",
        ENGLISH: "The document must have exactly one /sat/... path with the {operation} operation.",
    },
    "next_token_invalid": {
        SPANISH: "No es un valor de nextToken entregado por esta API.",
        ENGLISH: "Not a nextToken value given by this API.",
    },
    "empty_patch": {
        SPANISH: "Indique al menos un campo para modificar.",
        ENGLISH: "Give at least one field to change.",
    },
    # Employer role, delegate and authorized persons (functions/delegation)
    "nit_format": {
        SPANISH: "El NIT debe tener 9 dígitos, sin puntos, comas, espacios ni dígito de verificación.",
        ENGLISH: "The NIT must have 9 digits, without dots, commas, spaces or check digit.",
    },
    "dv_format": {SPANISH: "El DV es un solo dígito.", ENGLISH: "The check digit is a single digit."},
    "nit_check_digit": {
        SPANISH: "El dígito de verificación no corresponde al NIT.",
        ENGLISH: "The check digit does not match the NIT.",
    },
    "unknown_code": {
        SPANISH: "No es un código del catálogo {catalog}.",
        ENGLISH: "Not a code of the {catalog} catalog.",
    },
    "postal_code_department": {
        SPANISH: "Debe tener 6 dígitos y empezar por el código del departamento ({department}).",
        ENGLISH: "Must have 6 digits and start with the department code ({department}).",
    },
    "not_unique": {SPANISH: "Tiene elementos repetidos.", ENGLISH: "Has repeated items."},
    "delegate_is_legal_representative": {
        SPANISH: "El delegado debe ser una persona distinta del representante legal.",
        ENGLISH: "The delegate must be someone other than the legal representative.",
    },
    "nothing_to_update": {
        SPANISH: "Indique al menos un campo para actualizar.",
        ENGLISH: "Give at least one field to update.",
    },
    "reason_required": {
        SPANISH: "Indique el motivo del rechazo.",
        ENGLISH: "Give the reason for the rejection.",
    },
    "invalid_next_token": {
        SPANISH: "El token de paginación no es válido.",
        ENGLISH: "The pagination token is not valid.",
    },
    "rut_too_large": {
        SPANISH: "El archivo supera el tamaño máximo de {maxBytes} bytes (1 MB). Cargue un solo PDF más liviano.",
        ENGLISH: "The file exceeds the maximum size of {maxBytes} bytes (1 MB). Upload a single, smaller PDF.",
    },
    "rut_not_pdf": {
        SPANISH: "El archivo no es un PDF válido o está dañado.",
        ENGLISH: "The file is not a valid PDF or is damaged.",
    },
    "rut_encrypted": {
        SPANISH: "El PDF está protegido con contraseña o cifrado; cargue una copia sin protección.",
        ENGLISH: "The PDF is password-protected or encrypted; upload an unprotected copy.",
    },
    "rut_too_old": {
        SPANISH: "El RUT tiene fecha de expedición superior a un año; cargue uno reciente.",
        ENGLISH: "The RUT was issued more than a year ago; upload a recent one.",
    },
    "rut_upload_expired": {
        SPANISH: "El archivo no llegó antes de que venciera el espacio de carga; solicite uno nuevo.",
        ENGLISH: "The file did not arrive before the upload slot expired; request a new one.",
    },
    # Shared services of a CCF (functions/share, issue 6): URL safety rules (sat_common.url_safety)
    "url_too_long": {
        SPANISH: "La URL es demasiado larga (máximo 2048 caracteres) (regla URL_TOO_LONG).",
        ENGLISH: "The URL is too long (at most 2048 characters) (rule URL_TOO_LONG).",
    },
    "url_malformed": {
        SPANISH: "No es una URL válida (regla URL_MALFORMED).",
        ENGLISH: "Not a valid URL (rule URL_MALFORMED).",
    },
    "url_scheme": {
        SPANISH: "La URL debe usar https (regla URL_SCHEME).",
        ENGLISH: "The URL must use https (rule URL_SCHEME).",
    },
    "url_userinfo": {
        SPANISH: "La URL no puede incluir usuario ni contraseña (regla URL_USERINFO).",
        ENGLISH: "The URL must not include a user or password (rule URL_USERINFO).",
    },
    "url_port": {
        SPANISH: "La URL debe usar el puerto 443 (regla URL_PORT).",
        ENGLISH: "The URL must use port 443 (rule URL_PORT).",
    },
    "url_ipv4_noncanonical": {
        SPANISH: (
            "La dirección IPv4 debe escribirse en la forma a.b.c.d (sin formas decimales, hexadecimales, octales "
            "ni abreviadas) (regla URL_IPV4_NONCANONICAL)."
        ),
        ENGLISH: (
            "An IPv4 address must be written as a.b.c.d (no decimal, hex, octal or short forms) (rule "
            "URL_IPV4_NONCANONICAL)."
        ),
    },
    "url_host_invalid": {
        SPANISH: "El nombre del servidor no es un nombre DNS válido (regla URL_HOST_INVALID).",
        ENGLISH: "The host is not a valid DNS name (rule URL_HOST_INVALID).",
    },
    "url_host_reserved_name": {
        SPANISH: (
            "El nombre del servidor es local o reservado; debe ser accesible desde internet (regla "
            "URL_HOST_RESERVED_NAME)."
        ),
        ENGLISH: (
            "The host name is local or reserved; it must be reachable from the internet (rule URL_HOST_RESERVED_NAME)."
        ),
    },
    "url_host_not_qualified": {
        SPANISH: "El nombre del servidor debe ser un nombre de dominio completo (regla URL_HOST_NOT_QUALIFIED).",
        ENGLISH: "The host must be a fully qualified domain name (rule URL_HOST_NOT_QUALIFIED).",
    },
    "url_dns_failed": {
        SPANISH: "No se pudo resolver el nombre del servidor (regla URL_DNS_FAILED).",
        ENGLISH: "The host name could not be resolved (rule URL_DNS_FAILED).",
    },
    "url_address_unspecified": {
        SPANISH: "El servidor resuelve a una dirección no especificada (0.0.0.0 o ::) (regla ADDRESS_UNSPECIFIED).",
        ENGLISH: "The host resolves to an unspecified address (0.0.0.0 or ::) (rule ADDRESS_UNSPECIFIED).",
    },
    "url_address_loopback": {
        SPANISH: "El servidor resuelve a una dirección de loopback (regla ADDRESS_LOOPBACK).",
        ENGLISH: "The host resolves to a loopback address (rule ADDRESS_LOOPBACK).",
    },
    "url_address_private": {
        SPANISH: "El servidor resuelve a una dirección privada (regla ADDRESS_PRIVATE).",
        ENGLISH: "The host resolves to a private address (rule ADDRESS_PRIVATE).",
    },
    "url_address_link_local": {
        SPANISH: "El servidor resuelve a una dirección de enlace local (regla ADDRESS_LINK_LOCAL).",
        ENGLISH: "The host resolves to a link-local address (rule ADDRESS_LINK_LOCAL).",
    },
    "url_address_cgnat": {
        SPANISH: "El servidor resuelve a una dirección de NAT de operador (100.64.0.0/10) (regla ADDRESS_CGNAT).",
        ENGLISH: "The host resolves to a carrier-grade NAT address (100.64.0.0/10) (rule ADDRESS_CGNAT).",
    },
    "url_address_multicast": {
        SPANISH: "El servidor resuelve a una dirección multicast (regla ADDRESS_MULTICAST).",
        ENGLISH: "The host resolves to a multicast address (rule ADDRESS_MULTICAST).",
    },
    "url_address_broadcast": {
        SPANISH: "El servidor resuelve a la dirección de difusión (regla ADDRESS_BROADCAST).",
        ENGLISH: "The host resolves to the broadcast address (rule ADDRESS_BROADCAST).",
    },
    "url_address_documentation": {
        SPANISH: "El servidor resuelve a una dirección reservada para documentación (regla ADDRESS_DOCUMENTATION).",
        ENGLISH: "The host resolves to an address reserved for documentation (rule ADDRESS_DOCUMENTATION).",
    },
    "url_address_reserved": {
        SPANISH: "El servidor resuelve a una dirección reservada (regla ADDRESS_RESERVED).",
        ENGLISH: "The host resolves to a reserved address (rule ADDRESS_RESERVED).",
    },
    "url_address_nat64": {
        SPANISH: "El servidor resuelve a una dirección NAT64 (64:ff9b::/96) (regla ADDRESS_NAT64).",
        ENGLISH: "The host resolves to a NAT64 address (64:ff9b::/96) (rule ADDRESS_NAT64).",
    },
    "url_address_ipv6_embedded_ipv4": {
        SPANISH: (
            "El servidor resuelve a una dirección IPv6 que encapsula una IPv4 no pública (mapeada, compatible, "
            "6to4 o Teredo) (regla ADDRESS_IPV6_EMBEDDED_IPV4)."
        ),
        ENGLISH: (
            "The host resolves to an IPv6 address embedding a non-public IPv4 (mapped, compatible, 6to4 or "
            "Teredo) (rule ADDRESS_IPV6_EMBEDDED_IPV4)."
        ),
    },
    "url_address_not_global": {
        SPANISH: "El servidor resuelve a una dirección que no es pública en internet (regla ADDRESS_NOT_GLOBAL).",
        ENGLISH: "The host resolves to an address that is not public on the internet (rule ADDRESS_NOT_GLOBAL).",
    },
    # Shared services: the other fields
    "shared_name_format": {
        SPANISH: (
            "Debe ser un identificador de 3 a 64 caracteres: letras sin tilde, dígitos, punto, guion o guion "
            "bajo, empezando por una letra."
        ),
        ENGLISH: (
            "Must be an identifier of 3 to 64 characters: ASCII letters, digits, dot, hyphen or underscore, "
            "starting with a letter."
        ),
    },
    "control_characters": {
        SPANISH: "No puede contener caracteres de control.",
        ENGLISH: "Must not contain control characters.",
    },
    "public_key_invalid": {
        SPANISH: "Debe ser una llave pública o un certificado X.509 en formato PEM.",
        ENGLISH: "Must be a public key or an X.509 certificate in PEM format.",
    },
    "public_key_private": {
        SPANISH: (
            "Contiene una llave privada. Nunca envíe la llave privada: registre solo la llave pública o el certificado."
        ),
        ENGLISH: (
            "It contains a private key. Never send the private key: register only the public key or the certificate."
        ),
    },
    "public_key_multiple": {
        SPANISH: "Debe contener un solo bloque PEM (una llave pública o un certificado).",
        ENGLISH: "Must contain a single PEM block (one public key or one certificate).",
    },
    "public_key_algorithm": {
        SPANISH: "Algoritmo no admitido ({algorithm}). Use RSA de 2048 bits o más, o EC P-256 o P-384.",
        ENGLISH: "Unsupported algorithm ({algorithm}). Use RSA of 2048 bits or more, or EC P-256 or P-384.",
    },
    "public_key_rsa_size": {
        SPANISH: "La llave RSA tiene {bits} bits; debe tener entre 2048 y 8192 bits.",
        ENGLISH: "The RSA key has {bits} bits; it must have between 2048 and 8192 bits.",
    },
    "certificate_expired": {
        SPANISH: "El certificado venció el {notAfter} (UTC).",
        ENGLISH: "The certificate expired on {notAfter} (UTC).",
    },
    "certificate_not_yet_valid": {
        SPANISH: "El certificado solo es válido desde el {notBefore} (UTC).",
        ENGLISH: "The certificate is only valid from {notBefore} (UTC).",
    },
    "example_body_json": {
        SPANISH: "Debe ser un JSON válido.",
        ENGLISH: "Must be valid JSON.",
    },
    "example_body_too_large": {
        SPANISH: "Supera el tamaño máximo de {maxBytes} bytes.",
        ENGLISH: "Exceeds the maximum size of {maxBytes} bytes.",
    },
    "oauth_password_required": {
        SPANISH: "Indique la contraseña del usuario (el usuario y la contraseña van juntos).",
        ENGLISH: "Give the user's password (username and password go together).",
    },
    "oauth_username_required": {
        SPANISH: "Indique el usuario de la contraseña (el usuario y la contraseña van juntos).",
        ENGLISH: "Give the username for the password (username and password go together).",
    },
    "oauth_client_secret_required": {
        SPANISH: "Indique el Client Secret.",
        ENGLISH: "Give the client secret.",
    },
    "oauth_scope_format": {
        SPANISH: "Deben ser valores de scope separados por espacios (RFC 6749 §3.3).",
        ENGLISH: "Must be scope values separated by spaces (RFC 6749 §3.3).",
    },
    # SAT ⇄ CCF exchange (functions/exchange, issue 6 part B)
    "ccf_not_active": {
        SPANISH: "La empresa con NIT {nit} no tiene activo el rol Caja de Compensación Familiar.",
        ENGLISH: "The company with NIT {nit} does not have an active CCF role.",
    },
    "date_in_past": {SPANISH: "La fecha no puede ser anterior a hoy.", ENGLISH: "The date cannot be before today."},
    "employer_mismatch": {
        SPANISH: "No corresponde al empleador del trámite.",
        ENGLISH: "Does not match the trámite's employer.",
    },
    "serial_mismatch": {
        SPANISH: "No corresponde al serial SAT del trámite.",
        ENGLISH: "Does not match the trámite's SAT serial.",
    },
    "effective_date_required": {
        SPANISH: "Es obligatoria cuando ResultadoTramite es 1 (aprobado).",
        ENGLISH: "Required when ResultadoTramite is 1 (approved).",
    },
    "effective_date_not_allowed": {
        SPANISH: "No se envía cuando ResultadoTramite es 2 (no aprobado).",
        ENGLISH: "Not sent when ResultadoTramite is 2 (not approved).",
    },
    "rejection_reason_required": {
        SPANISH: "Es obligatorio cuando ResultadoTramite es 2 (no aprobado).",
        ENGLISH: "Required when ResultadoTramite is 2 (not approved).",
    },
    "rejection_reason_not_allowed": {
        SPANISH: "No se envía cuando ResultadoTramite es 1 (aprobado).",
        ENGLISH: "Not sent when ResultadoTramite is 1 (approved).",
    },
    "same_caja": {
        SPANISH: "La caja de destino debe ser distinta de la caja de origen.",
        ENGLISH: "The destination caja must differ from the origin caja.",
    },
    "transfer_date_order": {
        SPANISH: "La fecha efectiva del traslado no puede ser anterior a la fecha de solicitud.",
        ENGLISH: "The transfer's effective date cannot be before the request date.",
    },
    "transfer_caller_not_party": {
        SPANISH: "La CCF que envía la solicitud debe ser la caja de origen o la de destino.",
        ENGLISH: "The CCF sending the request must be the origin or the destination caja.",
    },
}
# Operations (decision 0072): GET /me's emailStatusMessage when the person's address bounced or complained.
FIELD_MESSAGES["email_bounced"] = {
    SPANISH: "Su correo rebotó: actualícelo para seguir recibiendo los mensajes del portal.",
    ENGLISH: "Your e-mail bounced: update it to keep receiving the portal's messages.",
}
FIELD_MESSAGES["email_complained"] = {
    SPANISH: "Su correo marcó nuestros mensajes como no deseados: actualícelo o revise su filtro de correo.",
    ENGLISH: "Your e-mail marked our messages as unwanted: update it or check your mail filter.",
}
# A CCF's secrets, its tokens and the exchange (security hardening; decisions 0041, 0054, 0061).
PROBLEMS.update(
    {
        "CCF_KEY_NOT_ACTIVE": {
            SPANISH: (
                "La CCF no tiene una llave activa",
                "La solicitud solo se entrega cifrada con la llave pública de la CCF. Registre la llave en su "
                "servicio compartido de notificación de trámites y pruebe su conexión hasta que quede ACTIVO.",
            ),
            ENGLISH: (
                "The CCF has no active key",
                "The request is only delivered encrypted to the CCF's public key. Register the key on its trámite "
                "notification shared service and test its connection until it is ACTIVE.",
            ),
        },
    }
)
FIELD_MESSAGES.update(
    {
        "secret_required_on_change": {
            SPANISH: "Al cambiar {changed} debe enviar de nuevo este secreto: no se conserva el guardado.",
            ENGLISH: "When {changed} changes this secret must be sent again: the stored one is not kept.",
        },
        "secret_only_with_url_change": {
            SPANISH: "Este secreto solo se envía aquí junto con una URL nueva; para cambiarlo use las "
            "credenciales OAuth del servicio.",
            ENGLISH: "This secret is only sent here together with a new URL; to change it use the service's "
            "OAuth credentials.",
        },
        "openapi_path_wildcard": {
            SPANISH: "Las rutas del documento no pueden contener * ni ? ({path}).",
            ENGLISH: "The document's paths cannot contain * or ? ({path}).",
        },
    }
)
# The routes the portal needs: password reset, "Mi información" (decisions 0075-0077).
PROBLEMS.update(
    {
        "PASSWORD_RESET_LIMITED": {
            SPANISH: (
                "Demasiadas solicitudes",
                "Ya se pidieron varios restablecimientos de contraseña para este documento. Intente de nuevo en "
                "{seconds} segundos.",
            ),
            ENGLISH: (
                "Too many requests",
                "Several password resets were already requested for this document. Try again in {seconds} seconds.",
            ),
        },
        "PROFILE_NOT_FOUND": {
            SPANISH: ("Perfil no encontrado", "Su cuenta no tiene datos de ciudadano para cambiar."),
            ENGLISH: ("Profile not found", "Your account has no citizen data to change."),
        },
        "EMAIL_CHANGE_LIMITED": {
            SPANISH: (
                "Demasiados cambios de correo",
                "Ya enviamos varios enlaces para cambiar el correo. Podrá pedir otro en {seconds} segundos.",
            ),
            ENGLISH: (
                "Too many e-mail changes",
                "Several e-mail change links were already sent. You can ask for another in {seconds} seconds.",
            ),
        },
        "EMAIL_CHANGE_CONFLICT": {
            SPANISH: ("Solicitud simultánea", "Otra solicitud de cambio de correo se procesó al mismo tiempo."),
            ENGLISH: ("Concurrent request", "Another e-mail change request was processed at the same time."),
        },
        "EMAIL_CHANGE_TOKEN_INVALID": {
            SPANISH: (
                "Enlace no válido",
                "El enlace para confirmar el correo no es válido, ya fue usado, fue reemplazado por uno más "
                "reciente o venció. Inicie sesión con la cuenta que pidió el cambio o pida el cambio de nuevo.",
            ),
            ENGLISH: (
                "Invalid link",
                "The e-mail confirmation link is not valid, was already used, was replaced by a newer one or has "
                "expired. Sign in with the account that asked for the change, or ask for it again.",
            ),
        },
    }
)
# The back office's trámites and audit lists (decisions 0094, 0095; sat_common.listing).
FIELD_MESSAGES.update(
    {
        "iso_datetime": {
            SPANISH: "Debe ser una fecha u hora ISO 8601 (por ejemplo 2026-12-01 o 2026-12-01T08:00:00Z).",
            ENGLISH: "Must be an ISO 8601 date or date-time (e.g. 2026-12-01 or 2026-12-01T08:00:00Z).",
        },
        "range_reversed": {
            SPANISH: "La fecha inicial no puede ser posterior a la final.",
            ENGLISH: "The start cannot be after the end.",
        },
        "range_too_long": {
            SPANISH: "El rango de fechas no puede superar {days} días.",
            ENGLISH: "The date range cannot exceed {days} days.",
        },
        "page_token_invalid": {
            SPANISH: "No es un valor de nextPageToken entregado por esta API para estos mismos filtros.",
            ENGLISH: "Not a nextPageToken value given by this API for these same filters.",
        },
        "query_parameter_unknown": {
            SPANISH: "Este parámetro no existe en esta consulta.",
            ENGLISH: "This parameter does not exist for this query.",
        },
        "query_parameter_repeated": {
            SPANISH: "Este parámetro solo puede aparecer una vez.",
            ENGLISH: "This parameter can appear only once.",
        },
        "tramite_filter_required": {
            SPANISH: "Indique el estado o el NIT de la CCF.",
            ENGLISH: "Give the state or the CCF's NIT.",
        },
        "state_not_of_type": {
            SPANISH: "El estado {state} no es de un {type}.",
            ENGLISH: "State {state} is not one of a {type}.",
        },
        "audit_filter_required": {
            SPANISH: "Indique el NIT, el número de documento o la acción.",
            ENGLISH: "Give the NIT, the document number or the action.",
        },
        "action_format": {
            SPANISH: "La acción se escribe en mayúsculas con guiones bajos (por ejemplo TRAMITE_REDRIVEN).",
            ENGLISH: "The action is written in upper case with underscores (e.g. TRAMITE_REDRIVEN).",
        },
    }
)
# The Ministry's operators (decision 0090).
PROBLEMS.update(
    {
        "OPERATOR_EXISTS": {
            SPANISH: (
                "Ya es operador",
                "{operatorId} ya es operador del Ministerio. Cambie sus grupos desde la lista de operadores.",
            ),
            ENGLISH: (
                "Already an operator",
                "{operatorId} is already a Ministry operator. Change their groups from the list of operators.",
            ),
        },
        "OPERATOR_SELF_LOCKOUT": {
            SPANISH: (
                "No puede quitarse su propio acceso",
                "Un administrador no puede quitarse el grupo ministerio ni deshabilitar su propia cuenta; "
                "pídalo a otro administrador.",
            ),
            ENGLISH: (
                "You cannot remove your own access",
                "An administrator cannot remove their own ministerio group nor disable their own account; "
                "ask another administrator.",
            ),
        },
    }
)
FIELD_MESSAGES.update(
    {
        "operator_change_empty": {
            SPANISH: "Indique los grupos, la habilitación o ambos.",
            ENGLISH: "Give the groups, whether the account is enabled, or both.",
        },
        "groups_repeated": {
            SPANISH: "Un grupo está repetido.",
            ENGLISH: "A group is repeated.",
        },
    }
)
# The RUT review queue and CCF suspension (decisions 0092, 0093).
PROBLEMS.update(
    {
        "RUT_FILE_NOT_FOUND": {
            SPANISH: ("RUT sin archivo", "La empresa con NIT {nit} no tiene un archivo de RUT cargado para revisar."),
            ENGLISH: ("No RUT file", "The company with NIT {nit} has no uploaded RUT file to review."),
        },
        "CCF_NOT_FOUND": {
            SPANISH: ("CCF no encontrada", "La empresa con NIT {nit} no tiene el rol CCF activado."),
            ENGLISH: ("CCF not found", "The company with NIT {nit} has no activated CCF role."),
        },
        "CCF_STATE_UNCHANGED": {
            SPANISH: ("Sin cambio de estado", "La CCF con NIT {nit} ya está en el estado {state}."),
            ENGLISH: ("State unchanged", "The CCF with NIT {nit} already is in state {state}."),
        },
        "CCF_SUSPENDED": {
            SPANISH: (
                "CCF suspendida",
                "El Ministerio suspendió la CCF con NIT {nit} el {since}. Motivo: {reason}. Mientras esté "
                "suspendida no se pueden administrar sus servicios web ni obtener tokens.",
            ),
            ENGLISH: (
                "CCF suspended",
                "The Ministry suspended the CCF with NIT {nit} on {since}. Reason: {reason}. While it is "
                "suspended its web services cannot be administered and no tokens are issued.",
            ),
        },
    }
)
FALLBACK_FIELD_MESSAGE = {SPANISH: "El valor no es válido.", ENGLISH: "The value is not valid."}


def field_message(error_type: str, ctx: Mapping[str, object] | None, lang: str) -> str:
    template = FIELD_MESSAGES.get(error_type, FALLBACK_FIELD_MESSAGE)[lang]
    try:
        return template.format(**{key: _plain(value) for key, value in (ctx or {}).items()})
    except (KeyError, IndexError):
        return FALLBACK_FIELD_MESSAGE[lang]


def _plain(value: object) -> str:
    return str(value)
