"""Who may act on /admin: the Ministry. (/ccfs/{nit} rights: sat_common.ccf_person_access.)"""

from sat_common.auth import Caller
from sat_common.errors import forbidden


def require_ministry(caller: Caller) -> None:
    if not caller.is_ministry:
        raise forbidden()
