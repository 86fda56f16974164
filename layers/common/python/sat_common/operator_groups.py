"""The Ministry's operator groups (Cognito groups of the people pool; infra/components/identity.py creates them).

`ministerio` is the administrator: it is admitted everywhere /admin is, including the operators' own
administration. The others admit only the routes that name them (infra/api_routes.py `admits`).
"""

ADMINISTRATOR = "ministerio"
REVIEWER = "ministerio-revisor"  # RUT review
CATALOG = "ministerio-catalogo"  # CCF activation and suspension, service catalog, assignments
EXCHANGE = "ministerio-intercambio"  # trámites, deliveries, redrive
AUDITOR = "ministerio-auditor"  # read-only: queues, trámites, audit

DESCRIPTIONS: dict[str, str] = {
    ADMINISTRATOR: "Administradores del Ministerio de Salud y Protección Social (todo, incluidos los operadores)",
    REVIEWER: "Revisores de RUT del Ministerio",
    CATALOG: "Operadores del catálogo: activación de CCF, servicios y asignaciones",
    EXCHANGE: "Operadores del intercambio: trámites, entregas y reintentos",
    AUDITOR: "Auditores del Ministerio (solo lectura)",
}

OPERATOR_GROUPS: frozenset[str] = frozenset(DESCRIPTIONS)
