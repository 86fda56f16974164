"""The template's side of decisions 0027 and 0029: what AWS enforces and moto 5.2.5 does not.

moto does not check ExplicitAuthFlows or SECRET_HASH on InitiateAuth, nor AllowAdminCreateUserOnly on SignUp
(the local runtime's local.cognito_app_clients does, from this configuration), and runs no Cognito triggers.
So the configuration itself is asserted here, as CloudFormation will create it in AWS.
"""

from __future__ import annotations

from typing import Any

from infra_synth import Synth


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _people_pool(synth: Synth) -> tuple[str, dict[str, Any]]:
    stage = synth.context["stage"]
    return next(
        (lid, r["Properties"])
        for lid, r in synth.of_type("AWS::Cognito::UserPool").items()
        if r["Properties"]["UserPoolName"] == f"sat-ccf-{stage}-people"
    )


def _people_client(synth: Synth) -> dict[str, Any]:
    people_id, _ = _people_pool(synth)
    return next(
        r["Properties"]
        for r in synth.of_type("AWS::Cognito::UserPoolClient").values()
        if r["Properties"]["UserPoolId"] == {"Ref": people_id}
    )


def _function_role(synth: Synth, area: str) -> str:
    stage = synth.context["stage"]
    function = next(
        r
        for r in synth.of_type("AWS::Lambda::Function").values()
        if r["Properties"]["FunctionName"] == f"sat-ccf-{stage}-{area}"
    )
    return str(function["Properties"]["Role"]["Fn::GetAtt"][0])


def _statements(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _roles_allowed(synth: Synth, action: str, resource: Any) -> set[str]:
    """Logical ids of the roles with an Allow of `action` on `resource`."""
    found = set()
    for policy in synth.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            allows = statement["Effect"] == "Allow" and action in _as_list(statement["Action"])
            if allows and resource in _as_list(statement["Resource"]):
                found |= {role["Ref"] for role in policy["Properties"]["Roles"]}
    return found


def test_the_web_client_is_confidential_and_offers_no_public_password_flow(synth: Synth) -> None:
    client = _people_client(synth)
    assert client["GenerateSecret"] is True  # the client ID in every ID token opens nothing without it
    flows = set(client["ExplicitAuthFlows"])
    assert flows == {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert not flows & {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"}
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["AllowedOAuthFlowsUserPoolClient"] is False  # no hosted UI / OAuth endpoints either


def test_the_pool_offers_no_self_service_sign_up_or_recovery(synth: Synth) -> None:
    _, pool = _people_pool(synth)
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # SignUp refused
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "admin_only", "Priority": 1}]
    assert pool["MfaConfiguration"] == "OFF"  # TOTP is the API's (decision 0029)


def test_no_secret_of_the_client_reaches_the_template_or_an_environment(synth: Synth) -> None:
    text = str(synth.template)
    assert "ClientSecret" not in text  # read at run time with DescribeUserPoolClient, never a CFN value
    registration = _statements(synth, _function_role(synth, "registration"))
    actions = {a for s in registration for a in _as_list(s["Action"])}
    assert {"cognito-idp:AdminInitiateAuth", "cognito-idp:DescribeUserPoolClient"} <= actions
    assert "cognito-idp:InitiateAuth" not in actions  # a public operation: no grant, no need


def test_only_the_registration_function_may_read_the_client_secret_or_use_the_mfa_key(synth: Synth) -> None:
    people_id, _ = _people_pool(synth)
    pool_arn = {"Fn::GetAtt": [people_id, "Arn"]}
    registration_role = _function_role(synth, "registration")
    assert _roles_allowed(synth, "cognito-idp:DescribeUserPoolClient", pool_arn) == {registration_role}
    assert _roles_allowed(synth, "cognito-idp:AdminInitiateAuth", pool_arn) == {registration_role}
    (key_id,) = [lid for lid in synth.of_type("AWS::KMS::Key") if lid.startswith("IdentityMfaKey")]
    assert synth.props(key_id)["EnableKeyRotation"] is True
    key_arn = {"Fn::GetAtt": [key_id, "Arn"]}
    assert _roles_allowed(synth, "kms:Decrypt", key_arn) == {registration_role}
    assert _roles_allowed(synth, "kms:Encrypt", key_arn) == {registration_role}


def test_every_function_with_admin_routes_can_check_operators_live_and_nothing_more(synth: Synth) -> None:
    people_id, _ = _people_pool(synth)
    pool_arn = {"Fn::GetAtt": [people_id, "Arn"]}
    for area in ("catalog", "delegation", "exchange"):
        role = _function_role(synth, area)
        assert role in _roles_allowed(synth, "cognito-idp:AdminGetUser", pool_arn), area
        assert role in _roles_allowed(synth, "cognito-idp:AdminListGroupsForUser", pool_arn), area
        on_people_pool = {
            a for s in _statements(synth, role) if pool_arn in _as_list(s["Resource"]) for a in _as_list(s["Action"])
        }
        assert on_people_pool == {"cognito-idp:AdminGetUser", "cognito-idp:AdminListGroupsForUser"}, area
