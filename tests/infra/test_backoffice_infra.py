"""The audit search's infrastructure (decision 0095) and the stack's room under CloudFormation's resource limit."""

from __future__ import annotations

import json
from typing import Any

from infra_synth import Synth

AUDIT_INDEXES = {"ByNit": "nitKey", "ByAction": "action", "ByActor": "actorDoc", "BySubject": "subjectDoc"}


def _audit_table(synth: Synth) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (lid, r["Properties"]) for lid, r in synth.of_type("AWS::DynamoDB::Table").items() if "AuditTable" in lid
    ]
    return found


def test_the_audit_table_has_the_search_indexes_sorted_by_the_entry_key(synth: Synth) -> None:
    _, props = _audit_table(synth)
    indexes = {index["IndexName"]: index for index in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == set(AUDIT_INDEXES)
    for name, attribute in AUDIT_INDEXES.items():
        schema = {key["KeyType"]: key["AttributeName"] for key in indexes[name]["KeySchema"]}
        assert schema == {"HASH": attribute, "RANGE": "SK"}
        assert indexes[name]["Projection"]["ProjectionType"] == "ALL"


def test_only_the_backoffice_function_reads_the_audit_table(synth: Synth) -> None:
    audit_id, _ = _audit_table(synth)
    readers = set()
    for policy in synth.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if audit_id in json.dumps(statement["Resource"]) and set(actions) - {"dynamodb:PutItem"}:
                assert set(actions) == {"dynamodb:Query"}, actions
                readers.update(role["Ref"] for role in policy["Properties"]["Roles"])
    assert len(readers) == 1 and "Backoffice" in next(iter(readers))


def test_one_api_invoke_permission_per_function_and_room_under_the_resource_limit(synth: Synth) -> None:
    # One permission per method (LambdaIntegration's default) took the stack past CloudFormation's 500 resources.
    from infra.api_routes import API_FUNCTIONS

    pascal = ("".join(part.capitalize() for part in area.split("_")) for area in API_FUNCTIONS)
    areas = {f"Functions{name}Function" for name in pascal}
    permissions: dict[str, int] = {}
    for permission in synth.of_type("AWS::Lambda::Permission").values():
        props = permission["Properties"]
        function = json.dumps(props["FunctionName"])
        if props["Principal"] == "apigateway.amazonaws.com" and any(f'"{area}' in function for area in areas):
            permissions[function] = permissions.get(function, 0) + 1
    assert len(permissions) == len(API_FUNCTIONS) and set(permissions.values()) == {1}, permissions
    assert len(synth.resources) < 500, f"{len(synth.resources)} resources: CloudFormation refuses more than 500"
