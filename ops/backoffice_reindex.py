"""`python -m ops backoffice reindex`: give items written before the back office (decisions 0092-0095) the keys
and summaries its lists read (decisions 0092, 0093). Idempotent; Query only (every employer status's GSI1
partition, the CCF list's partition and each CCF's own items), never Scan.

- Employers whose GSI1SK is still `EMPLOYER#<nit>` get `<since>#<nit>` (since: the RUT's uploadedAt in
  PENDING_REVIEW, confirmedAt in REGISTERED, else updatedAt), so the review queue puts them in order. Until then
  they are listed after the others, never lost.
- Every CCF activation item gets its summaries recomputed: servicesAssigned (ACTIVE assignments),
  sharedServices (sat_common.ccf_summary) and lastDelivery (the newest attempt among its newest trámites).

Data access: ops.repositories.backfills, and the CCF summaries' own read of a CCF's shared services
(sat_common.repositories.ccf_summary).
"""

from __future__ import annotations

from typing import Any

from ops import target as outputs
from ops.target import Target

STATUSES = ("DRAFT", "RUT_REQUIRED", "PENDING_REVIEW", "RUT_REJECTED", "REGISTERED")
RECENT_TRAMITES = 25


def employer_since(item: dict[str, Any]) -> str:
    rut = item.get("rut") or {}
    if item.get("status") == "PENDING_REVIEW" and rut.get("uploadedAt"):
        return str(rut["uploadedAt"])
    if item.get("status") == "REGISTERED" and item.get("confirmedAt"):
        return str(item["confirmedAt"])
    return str(item.get("updatedAt") or item.get("createdAt") or "")


def last_delivery(recent: list[dict[str, Any]]) -> dict[str, str] | None:
    """The newest delivery attempt among the CCF's recent trámites (the activation item's lastDelivery)."""
    attempted = [t for t in recent if t.get("lastAttemptAt") and t.get("lastOutcome")]
    newest = max(attempted, key=lambda t: str(t["lastAttemptAt"]), default=None)
    if newest is None:
        return None
    return {
        "numeroTransaccion": str(newest["numeroTransaccion"]),
        "outcome": str(newest["lastOutcome"]),
        "at": str(newest["lastAttemptAt"]),
    }


def reindex(target: Target, *, dry_run: bool) -> dict[str, int]:
    from ops.repositories.backfills import BackfillRepository
    from sat_common import ccf_summary
    from sat_common.repositories.ccf_summary import CcfSummaryRepository

    backfills = target.store(BackfillRepository, outputs.MAIN_TABLE)
    summaries = target.store(CcfSummaryRepository, outputs.MAIN_TABLE)
    counts = {"employers": 0, "ccfs": 0}
    for status in STATUSES:
        for item in backfills.unordered_employers(status):
            counts["employers"] += 1
            if not dry_run:  # False: changed meanwhile, its own write set the new key
                backfills.order_employer(item, f"{employer_since(item)}#{item['nit']}")
    for activation in backfills.activated_ccfs():
        nit = str(activation["nit"])
        assignments = backfills.assignments(nit)
        shared = summaries.shared_service_items(nit)
        delivery = last_delivery(backfills.recent_tramites(nit, RECENT_TRAMITES))
        counts["ccfs"] += 1
        if dry_run:
            continue
        backfills.store_ccf_summaries(
            nit,
            services_assigned=sum(1 for a in assignments if a.get("status") == "ACTIVE"),
            shared_services=ccf_summary.shared_services_summary(shared),
            last_delivery=delivery,
        )
    return counts
