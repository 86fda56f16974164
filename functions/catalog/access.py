"""Who may act on /admin: the Ministry. (/ccfs/{nit} rights: sat_common.ccf_person_access.)"""

from sat_common import ministry
from sat_common.auth import Caller


def require_ministry(caller: Caller, *admitted: str) -> None:
    """`ministerio` or one of the `admitted` groups (the route's `admits` in infra/api_routes.py, decision 0090)."""
    ministry.require_operator(caller, *admitted)  # live group, account state and TOTP (decision 0029)
