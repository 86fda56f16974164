"""Read a CCF's shared services: one, or a page of them (never a secret; decision 0050)."""

from __future__ import annotations

from typing import Any

from share.context import Context, authorize, existing
from share.views import view


def get(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    authorize(ctx)
    return view(existing(ctx, shared_service_id))


def list_page(ctx: Context, limit: int, next_token: str | None) -> dict[str, Any]:
    authorize(ctx)
    items, token = ctx.repository.services_page(ctx.nit, limit, next_token)
    return {"items": [view(item) for item in items], "nextToken": token}
