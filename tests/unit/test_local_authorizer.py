"""The Cognito authorizer emulation, against tokens issued by moto (server mode), and through the gateway."""

import json
import time

import boto3
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from local.apigw import ApiGateway
from local.authorizer import CognitoAuthorizer, Unauthorized
from local.template import Template
from local.testing import moto_server

PASSWORD = "Una-Clave-Larga-2026!"


@pytest.fixture(scope="module")
def cognito():
    with moto_server() as endpoint:
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        pools = []
        for name in ("people", "other"):
            pool_id = idp.create_user_pool(PoolName=name)["UserPool"]["Id"]
            client_id = idp.create_user_pool_client(
                UserPoolId=pool_id,
                ClientName="web",
                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            )["UserPoolClient"]["ClientId"]
            idp.create_group(UserPoolId=pool_id, GroupName="ministerio")
            idp.create_group(UserPoolId=pool_id, GroupName="auditor")
            idp.admin_create_user(
                UserPoolId=pool_id,
                Username="CC-1020304050",
                MessageAction="SUPPRESS",
                UserAttributes=[
                    {"Name": "email", "Value": "p@example.com"},
                    {"Name": "email_verified", "Value": "true"},
                ],
            )
            idp.admin_set_user_password(UserPoolId=pool_id, Username="CC-1020304050", Password=PASSWORD, Permanent=True)
            for group in ("ministerio", "auditor"):
                idp.admin_add_user_to_group(UserPoolId=pool_id, Username="CC-1020304050", GroupName=group)
            tokens = idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "CC-1020304050", "PASSWORD": PASSWORD},
            )
            pools.append({"id": pool_id, "client": client_id, **tokens["AuthenticationResult"]})
        yield endpoint, pools


def test_valid_id_token_gives_api_gateway_style_claims(cognito):
    endpoint, (people, _) = cognito
    auth = CognitoAuthorizer(endpoint, "us-east-1", [people["id"]])
    for header in (people["IdToken"], f"Bearer {people['IdToken']}"):
        claims = auth.authorize(header)
        assert claims["cognito:username"] == "CC-1020304050"
        assert claims["cognito:groups"] == "ministerio,auditor" or claims["cognito:groups"] == "auditor,ministerio"
        assert claims["token_use"] == "id" and claims["aud"] == people["client"]
        assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{people['id']}"
        assert claims["exp"].endswith(" UTC " + time.strftime("%Y", time.gmtime(time.time())))
        assert all(isinstance(v, str) for v in claims.values())


def test_access_token_only_where_scopes_are_configured(cognito):
    """API Gateway's Cognito authorizer: no scopes on the method -> ID token; scopes -> access token."""
    endpoint, (people, _) = cognito
    auth = CognitoAuthorizer(endpoint, "us-east-1", [people["id"]])
    with pytest.raises(Unauthorized, match="only an ID token"):
        auth.authorize(people["AccessToken"])
    assert auth.authorize(people["AccessToken"], scopes=["aws.cognito.signin.user.admin"])
    with pytest.raises(Unauthorized):
        auth.authorize(people["AccessToken"], scopes=["ccf/notify"])
    with pytest.raises(Unauthorized):
        auth.authorize(people["IdToken"], scopes=["aws.cognito.signin.user.admin"])


@pytest.mark.parametrize("header", [None, "", "garbage", "Bearer garbage", "a.b.c", "Bearer "])
def test_garbage_is_rejected(cognito, header):
    endpoint, (people, _) = cognito
    with pytest.raises(Unauthorized):
        CognitoAuthorizer(endpoint, "us-east-1", [people["id"]]).authorize(header)


def test_token_of_another_pool_is_rejected(cognito):
    endpoint, (people, other) = cognito
    with pytest.raises(Unauthorized, match="issuer"):
        CognitoAuthorizer(endpoint, "us-east-1", [people["id"]]).authorize(other["IdToken"])


def _forge(claims: dict) -> str:
    key = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)


def test_forged_signature_and_expired_token_are_rejected(cognito):
    endpoint, (people, _) = cognito
    auth = CognitoAuthorizer(endpoint, "us-east-1", [people["id"]])
    claims = jwt.decode(people["IdToken"], auth._key_set(people["id"])).claims
    with pytest.raises(Unauthorized, match="signature"):
        auth.authorize(_forge({**claims, "cognito:groups": ["ministerio"]}))
    # Tamper with the payload of a real token: the signature no longer matches.
    header, payload, signature = people["IdToken"].split(".")
    import base64

    data = json.loads(base64.urlsafe_b64decode(payload + "==="))
    data["exp"] = data["exp"] + 3600
    forged_payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    with pytest.raises(Unauthorized):
        auth.authorize(f"{header}.{forged_payload}.{signature}")
    # Expiry is checked (here against a clock moved two hours ahead).
    late = CognitoAuthorizer(endpoint, "us-east-1", [people["id"]], leeway=-7200)
    with pytest.raises(Unauthorized, match="expired"):
        late.authorize(people["IdToken"])


def test_gateway_rejects_with_unauthorized_response_and_passes_claims(cognito):
    endpoint, (people, _) = cognito
    pool_arn = f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{people['id']}"
    template = Template(
        doc={
            "Resources": {
                "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {}},
                "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
                "Me": {
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": {"ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "me"},
                },
                "Auth": {
                    "Type": "AWS::ApiGateway::Authorizer",
                    "Properties": {
                        "Type": "COGNITO_USER_POOLS",
                        "ProviderARNs": [pool_arn],
                        "IdentitySource": "method.request.header.Authorization",
                    },
                },
                "MeGet": {
                    "Type": "AWS::ApiGateway::Method",
                    "Properties": {
                        "HttpMethod": "GET",
                        "ResourceId": {"Ref": "Me"},
                        "AuthorizationType": "COGNITO_USER_POOLS",
                        "AuthorizerId": {"Ref": "Auth"},
                        "Integration": {"Type": "AWS_PROXY", "Uri": {"Fn::GetAtt": ["Fn", "Arn"]}},
                    },
                },
                "Unauth": {
                    "Type": "AWS::ApiGateway::GatewayResponse",
                    "Properties": {
                        "ResponseType": "UNAUTHORIZED",
                        "StatusCode": "401",
                        "ResponseParameters": {"gatewayresponse.header.Content-Type": "'application/problem+json'"},
                        "ResponseTemplates": {"application/json": '{"status": 401, "code": "NO_AUTENTICADO"}'},
                    },
                },
            }
        }
    )
    events = []

    def invoke(function, event, request_id):
        events.append(event)
        return {"statusCode": 200, "body": "{}"}

    gw = ApiGateway(template, invoke, {"Auth": CognitoAuthorizer(endpoint, "us-east-1", [people["id"]])})
    for headers in ([], [("Authorization", "garbage")]):
        resp = gw.handle("GET", "/me", headers, None, "127.0.0.1")
        assert resp.status == 401 and resp.headers["Content-Type"] == "application/problem+json"
        assert json.loads(resp.body)["code"] == "NO_AUTENTICADO"
    assert not events
    resp = gw.handle("GET", "/me", [("Authorization", people["IdToken"])], None, "127.0.0.1")
    assert resp.status == 200
    assert events[0]["requestContext"]["authorizer"]["claims"]["cognito:username"] == "CC-1020304050"
