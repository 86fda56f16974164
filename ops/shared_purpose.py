"""`python -m ops shared-services migrate-purpose`: give the shared services written before `purpose` existed
(decision 0106) their purpose, and the notification service its claim. Idempotent; Query only (the CCF list's
GSI1 partition, then each CCF's SHARED# items), never Scan.

An item without `purpose` gets what the read-time default already reads it as (sat_common.shared_services
.purpose_of: NOTIFICACION_TRAMITES when named NotificacionTramite, any case; else OTRO). The notification service's
claim (`SHAREDPURPOSE#NOTIFICACION_TRAMITES`) is written first, conditionally: a CCF whose claim already names
another service keeps that one (it is the one notified), and the old item is written as OTRO and counted as a
conflict, for a person of the CCF to look at.

Data access: ops.repositories.backfills, and the CCF summaries' read of a CCF's shared services
(sat_common.repositories.ccf_summary).
"""

from __future__ import annotations

from ops import target as outputs
from ops.target import Target


def migrate(target: Target, *, dry_run: bool) -> dict[str, int]:
    from ops.repositories.backfills import BackfillRepository
    from sat_common import shared_services
    from sat_common.repositories.ccf_summary import CcfSummaryRepository

    backfills = target.store(BackfillRepository, outputs.MAIN_TABLE)
    summaries = target.store(CcfSummaryRepository, outputs.MAIN_TABLE)
    counts = {"services": 0, "notification": 0, "conflicts": 0}
    for activation in backfills.activated_ccfs():
        nit = str(activation["nit"])
        for item in summaries.shared_service_items(nit):
            if "purpose" in item:
                continue
            purpose = shared_services.purpose_of(item)
            counts["services"] += 1
            if dry_run:
                continue
            service_id = str(item["sharedServiceId"])
            if purpose == shared_services.NOTIFICATION_PURPOSE and not backfills.claim_notification_purpose(
                nit, service_id
            ):
                counts["conflicts"] += 1  # another service holds the claim: that one is notified, this one is not
                purpose = shared_services.OTHER_PURPOSE
            counts["notification"] += purpose == shared_services.NOTIFICATION_PURPOSE
            backfills.give_purpose(nit, service_id, purpose)  # False: changed or deleted meanwhile, its write decided
    return counts
