"""Entry point of the catalog function: the resolver and its routers (catalog.routes), one per concern.

Routes call use-case modules (ccf_activation, service_catalog, assignments, terms_of_use, ccf_services,
consumer_password, reference_catalogs), which reach the main table through catalog.repository. AWS faults are
answered by the resolver itself (sat_common.api: 503 with Retry-After, or 500 and an alarm for permissions).
"""

from catalog.routes import ccf_catalog, ccf_terms, ministry_ccfs, ministry_services, platform
from sat_common.api import create_resolver, lambda_entry
from sat_common.settings import ApiSettings

settings = ApiSettings()  # type: ignore[call-arg]
app = create_resolver(settings)
for routes in (platform, ministry_ccfs, ministry_services, ccf_terms, ccf_catalog):
    app.include_router(routes.router)

lambda_handler = lambda_entry(app)
