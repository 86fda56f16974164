"""The OAuth 2.0 part of a shared service: the CCF's token service and the credentials we get tokens with (PUT
.../oauth; manual §6 "Compartir servicios web con la Entidad"; decisions 0050, 0054).

A stored secret is kept only while it keeps going where it went: a new tokenUrl, username or clientId needs every
secret again (so nobody can point the stored ones at a server of their own) and is e-mailed to the CCF's other
authorized persons. Storing the OAuth part makes an INCOMPLETE service PENDING_VERIFICATION; changing anything but
the token's name sends it back there, while notifications go on to the last verified configuration (0111).
"""

from __future__ import annotations

from typing import Any

from sat_common import clock
from sat_common.shared_services import INCOMPLETE
from share import secrets_store
from share.context import Context, authorize, existing, record, replace_with_version
from share.models import SharedServiceOAuthRequest
from share.notices import tell_destination_changed
from share.validation import Problems, secrets_required
from share.verified_configuration import await_verification
from share.views import view

OAUTH_FIELDS = ("tokenName", "tokenUrl", "username", "clientId", "scope")
DESTINATION_FIELDS = ("tokenUrl", "username", "clientId")


def put_oauth(ctx: Context, shared_service_id: str, request: SharedServiceOAuthRequest) -> dict[str, Any]:
    activation = authorize(ctx)
    item = existing(ctx, shared_service_id)
    problems = Problems()
    problems.check_url("tokenUrl", request.tokenUrl, ctx.settings)
    if request.password is not None and request.username is None:
        problems.add("username", "oauth_username_required")
    problems.raise_if_any()  # nothing below needs the secret when the request is already wrong

    previous_oauth = item.get("oauth") or {}
    moved = [key for key in DESTINATION_FIELDS if previous_oauth and getattr(request, key) != previous_oauth.get(key)]
    if moved:
        needed = [
            name
            for name, missing in (
                ("password", request.username is not None and request.password is None),
                ("clientSecret", request.clientSecret is None),
            )
            if missing
        ]
        secrets_required(moved, needed)
    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    same_user = request.username is not None and request.username == previous_oauth.get("username")
    password = request.password or (stored.get("password") if same_user else None)
    if request.username is None:
        password = None
    client_secret = request.clientSecret or stored.get("clientSecret")
    if request.username is not None and not password:
        problems.add("password", "oauth_password_required")
    if not client_secret:
        problems.add("clientSecret", "oauth_client_secret_required")
    problems.raise_if_any()

    oauth = {key: getattr(request, key) for key in OAUTH_FIELDS if getattr(request, key) is not None}
    secrets_changed = password != stored.get("password") or client_secret != stored.get("clientSecret")
    changed = sorted(
        {key for key in OAUTH_FIELDS if oauth.get(key) != previous_oauth.get(key)}
        | ({"password"} if password != stored.get("password") else set())
        | ({"clientSecret"} if client_secret != stored.get("clientSecret") else set())
    )
    if not changed:
        return view(item)
    security = bool(set(changed) - {"tokenName"}) or not previous_oauth

    new = dict(item)
    new.update(
        oauth=oauth,
        hasPassword=bool(password),
        hasClientSecret=bool(client_secret),
        revision=item["revision"] + 1,
        updatedAt=clock.stamp(),
        updatedBy=ctx.caller.username,
    )
    if item["status"] == INCOMPLETE or security:
        await_verification(new, item)

    new_version = None
    if secrets_changed:
        new_version = secrets_store.put_version(
            item["secretName"],
            {**stored, "password": password, "clientSecret": client_secret},
        )
        new["secretVersionId"] = new_version
    replace_with_version(ctx, item, new, new_version)
    shown = view(new)
    record(
        ctx,
        "SHARED_SERVICE_OAUTH_SET",
        shared_service_id,
        {"changed": changed, "grantType": shown["oauth"]["grantType"], "status": new["status"]},
    )
    destination = [key for key in DESTINATION_FIELDS if key in changed]
    if destination:
        tell_destination_changed(ctx, activation, new, destination)
    return shown
