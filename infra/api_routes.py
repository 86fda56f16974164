"""The API's route table: the one place that says which function serves which route and who may call it.

The CDK app builds API Gateway from it; tests check it against the routes each function's resolver registers.
"""

from dataclasses import dataclass
from typing import Literal

Auth = Literal["public", "person"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    auth: Auth


ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", "catalog", "public"),
    Route("GET", "/openapi.json", "catalog", "public"),
    Route("GET", "/docs", "catalog", "public"),
    Route("GET", "/catalogs/{catalog}", "catalog", "public"),
    # Citizen registration and login (manual §5 "Registro de ciudadano", issue 3)
    Route("POST", "/registrations", "registration", "public"),
    Route("POST", "/registrations/{registrationId}/answers", "registration", "public"),
    Route("PUT", "/registrations/{registrationId}/contact", "registration", "public"),
    Route("POST", "/password-setup", "registration", "public"),
    Route("POST", "/sessions", "registration", "public"),
    Route("POST", "/sessions/refresh", "registration", "public"),
    Route("GET", "/me", "registration", "person"),
    Route("GET", "/me/roles", "registration", "person"),
)

# Functions with API routes, and functions fed by the outbox queue.
API_FUNCTIONS: tuple[str, ...] = tuple(dict.fromkeys(route.function for route in ROUTES))
QUEUE_FUNCTIONS: tuple[str, ...] = ("delivery",)
