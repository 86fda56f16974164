"""Every /admin route names the operator groups it admits on purpose (decision 0090).

`Route.admits` defaults to (), which means "the administrator `ministerio` only". That is right for the
operators' own administration and the help desk, and a mistake anywhere else (a route nobody but the
administrator could use). So an empty `admits` is accepted only for the routes listed here.
"""

from __future__ import annotations

from typing import get_args

from infra import api_routes
from infra.api_routes import ROUTES
from infra.components.identity import GROUPS
from registration.operator_models import GroupName
from sat_common import operator_groups
from sat_common.operator_groups import ADMINISTRATOR, OPERATOR_GROUPS

ADMINISTRATOR_ONLY = {
    "GET /admin/operators",
    "POST /admin/operators",
    "PATCH /admin/operators/{operatorId}",
    "POST /admin/people/{documentType}/{documentNumber}/unlock",
}


def test_every_admin_route_admits_groups_deliberately() -> None:
    admin = {f"{r.method} {r.path}": r.admits for r in ROUTES if r.path.startswith("/admin")}
    assert set(admin) >= ADMINISTRATOR_ONLY, "an administrator-only route is gone: update this list"
    for route, admits in admin.items():
        if route in ADMINISTRATOR_ONLY:
            assert admits == (), f"{route} is for the administrator only"
        else:
            assert admits, f"{route}: name the groups it admits besides `ministerio` (Route(..., admits=(...)))"
        assert len(set(admits)) == len(admits), route
        assert set(admits) <= OPERATOR_GROUPS - {ADMINISTRATOR}, f"{route}: `ministerio` is always admitted"


def test_only_admin_routes_name_groups() -> None:
    assert all(not r.admits for r in ROUTES if not r.path.startswith("/admin")), "admits means nothing outside /admin"


def test_the_infra_and_the_layer_agree_on_the_group_names() -> None:
    assert set(GROUPS) == OPERATOR_GROUPS  # the Cognito groups the stack creates
    assert GROUPS == operator_groups.DESCRIPTIONS
    names = (api_routes.REVIEWER, api_routes.CATALOG, api_routes.EXCHANGE, api_routes.AUDITOR)
    layer = (operator_groups.REVIEWER, operator_groups.CATALOG, operator_groups.EXCHANGE, operator_groups.AUDITOR)
    assert names == layer
    assert set(get_args(GroupName)) == OPERATOR_GROUPS  # what POST/PATCH /admin/operators accept


def test_read_only_auditors_are_admitted_only_on_reads() -> None:
    for route in ROUTES:
        if operator_groups.AUDITOR in route.admits:
            assert route.method == "GET", f"{route.method} {route.path}: the auditor group is read-only"
