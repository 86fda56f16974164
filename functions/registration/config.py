"""Settings and adapters of the registration area, built on first use.

Settings are read on the first request rather than at import, so tooling that imports the handler
(the OpenAPI generator, the route-table test) needs no AWS resource names. A missing variable still
fails the first request of a cold start, loudly, before any work.
"""

from dataclasses import dataclass
from functools import cache

from registration.cognito import PeoplePool
from registration.store import Store
from sat_common.reference.dynamodb import DynamoDBReferenceSource
from sat_common.settings import RegistrationSettings


@dataclass(frozen=True)
class Deps:
    settings: RegistrationSettings
    store: Store
    reference: DynamoDBReferenceSource
    pool: PeoplePool


@cache
def deps() -> Deps:
    settings = RegistrationSettings()  # type: ignore[call-arg]
    return Deps(
        settings=settings,
        store=Store(settings.main_table_name),
        reference=DynamoDBReferenceSource(settings.reference_table_name),
        pool=PeoplePool(settings.people_user_pool_id, settings.people_user_pool_client_id),
    )
