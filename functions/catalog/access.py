"""Who may act on /admin: the Ministry. (/ccfs/{nit} rights: sat_common.ccf_person_access.)"""

from sat_common import ministry
from sat_common.auth import Caller


def require_ministry(caller: Caller) -> None:
    ministry.require_operator(caller)  # live group, account state and TOTP (decision 0029)
