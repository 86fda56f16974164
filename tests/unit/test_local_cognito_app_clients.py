"""The local runtime refuses, as Cognito does, the app-client calls moto 5.2.5 lets through (decision 0027).

Against a real moto server with the gate in front (local.moto_server): a confidential client with only the
admin password flow, in a pool where only administrators create users, like the people pool of the stack.
"""

import base64
import hashlib
import hmac

import boto3
import pytest
from botocore.exceptions import ClientError

from local.testing import moto_server

USERNAME = "CC-1020304050"
PASSWORD = "Una frase larga de prueba 2026"


def secret_hash(secret: str, client_id: str, username: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@pytest.fixture(scope="module")
def pool():
    with moto_server() as endpoint:
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        pool_id = idp.create_user_pool(
            PoolName="people",
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
            AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]},
        )["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        public = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="public", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]
        idp.admin_create_user(UserPoolId=pool_id, Username=USERNAME, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username=USERNAME, Password=PASSWORD, Permanent=True)
        yield idp, pool_id, client["ClientId"], client["ClientSecret"], public["ClientId"]


def refused(call, **kwargs) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def test_public_password_flows_are_refused_on_a_client_that_does_not_allow_them(pool):
    idp, _, client_id, secret, _ = pool
    auth = {"USERNAME": USERNAME, "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(secret, client_id, USERNAME)}
    # even with the right SECRET_HASH: the flow itself is not enabled (moto alone would give tokens)
    assert (
        refused(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)
        == "InvalidParameterException"
    )
    srp = {"USERNAME": USERNAME, "SRP_A": "ab" * 64}
    assert (
        refused(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp)
        == "InvalidParameterException"
    )


def test_without_the_secret_the_client_id_opens_nothing(pool):
    idp, _, client_id, _, _ = pool
    assert refused(idp.sign_up, ClientId=client_id, Username="CC-1999999999", Password=PASSWORD) == (
        "NotAuthorizedException"
    )
    assert refused(idp.forgot_password, ClientId=client_id, Username=USERNAME) == "NotAuthorizedException"
    assert (
        refused(
            idp.confirm_forgot_password,
            ClientId=client_id,
            Username=USERNAME,
            ConfirmationCode="123456",  # moto alone takes any code and sets the password
            Password="Otra frase cualquiera 2026",
        )
        == "NotAuthorizedException"
    )
    assert (
        refused(
            idp.initiate_auth, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": "x"}
        )
        == "NotAuthorizedException"
    )


def test_the_server_side_flow_needs_the_right_secret_hash_and_then_works(pool):
    idp, pool_id, client_id, secret, _ = pool
    auth = {"USERNAME": USERNAME, "PASSWORD": PASSWORD}
    assert (
        refused(
            idp.admin_initiate_auth,
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={**auth, "SECRET_HASH": secret_hash("not the secret", client_id, USERNAME)},
        )
        == "NotAuthorizedException"
    )
    tokens = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={**auth, "SECRET_HASH": secret_hash(secret, client_id, USERNAME)},
    )["AuthenticationResult"]
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}
    assert (
        refused(idp.initiate_auth, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
        == "NotAuthorizedException"
    )
    refreshed = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={**refresh, "SECRET_HASH": secret_hash(secret, client_id, USERNAME)},
    )
    assert refreshed["AuthenticationResult"]["IdToken"]


def test_sign_up_is_refused_where_only_administrators_create_users(pool):
    idp, _, _, _, public_id = pool
    assert refused(idp.sign_up, ClientId=public_id, Username="CC-1999999998", Password=PASSWORD) == (
        "NotAuthorizedException"
    )


def test_a_client_configured_for_it_keeps_working(pool):
    """The gate refuses only what the client's configuration refuses: a public client with the flow works."""
    idp, _, _, _, public_id = pool
    tokens = idp.initiate_auth(
        ClientId=public_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD}
    )
    assert tokens["AuthenticationResult"]["IdToken"]
