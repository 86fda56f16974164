"""The local emulation of API Gateway's Lambda TOKEN authorizer: policy evaluation, errors, caching."""

import pytest

from local.authorizer import AccessDenied, AuthorizerFailure, LambdaAuthorizer, Unauthorized, evaluate_policy
from local.lambdas import InvocationError

ARN = "arn:aws:execute-api:us-east-1:123456789012:api/dev"


def policy(effect: str, *resources: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": list(resources)}],
    }


def test_policy_needs_an_allow_and_deny_wins():
    assert evaluate_policy(policy("Allow", f"{ARN}/GET/sat/session"), f"{ARN}/GET/sat/session")
    assert not evaluate_policy(policy("Allow", f"{ARN}/GET/sat/session"), f"{ARN}/POST/sat/other")
    assert evaluate_policy(policy("Allow", f"{ARN}/*"), f"{ARN}/POST/sat/other")
    both = policy("Allow", f"{ARN}/*")
    both["Statement"].append({"Action": "execute-api:*", "Effect": "Deny", "Resource": f"{ARN}/POST/*"})
    assert not evaluate_policy(both, f"{ARN}/POST/sat/x") and evaluate_policy(both, f"{ARN}/GET/sat/x")
    with pytest.raises(AuthorizerFailure):
        evaluate_policy(None, ARN)


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def authorizer(answer, ttl: int = 60) -> tuple[LambdaAuthorizer, list, Clock]:
    calls: list = []
    clock = Clock()

    def invoke(function, event, request_id):
        calls.append(event)
        return answer(event)

    return LambdaAuthorizer(function="Fn", invoke=invoke, ttl=ttl, clock=clock), calls, clock


def allow_session(event):
    return {"principalId": "client-1", "policyDocument": policy("Allow", f"{ARN}/GET/sat/session"),
            "context": {"ccfNit": "827176340", "expiresAt": 5, "ok": True}}  # fmt: skip


def test_token_event_context_and_cache_by_token_for_the_ttl():
    auth, calls, clock = authorizer(allow_session)
    headers = {"Authorization": "Bearer abc"}
    ctx = auth.authorize(f"{ARN}/GET/sat/session", headers, {}, {}, "r1")
    assert calls == [{"type": "TOKEN", "authorizationToken": "Bearer abc", "methodArn": f"{ARN}/GET/sat/session"}]
    assert ctx["principalId"] == "client-1" and ctx["ccfNit"] == "827176340"
    assert ctx["expiresAt"] == "5" and ctx["ok"] == "true"
    # cached: the same policy is evaluated against another method without invoking the function again
    with pytest.raises(AccessDenied):
        auth.authorize(f"{ARN}/POST/sat/other", headers, {}, {}, "r2")
    assert len(calls) == 1
    clock.now += 61
    auth.authorize(f"{ARN}/GET/sat/session", headers, {}, {}, "r3")
    assert len(calls) == 2
    auth.authorize(f"{ARN}/GET/sat/session", {"Authorization": "Bearer other"}, {}, {}, "r4")
    assert len(calls) == 3


def test_missing_token_unauthorized_and_failures():
    auth, calls, _ = authorizer(allow_session)
    with pytest.raises(Unauthorized):
        auth.authorize(ARN, {}, {}, {}, "r")
    assert calls == []

    def unauthorized(event):
        raise InvocationError({"errorMessage": "Unauthorized", "errorType": "Exception"})

    auth, _, _ = authorizer(unauthorized)
    with pytest.raises(Unauthorized):
        auth.authorize(ARN, {"authorization": "x"}, {}, {}, "r")

    def crash(event):
        raise InvocationError({"errorMessage": "boom", "errorType": "KeyError"})

    auth, _, _ = authorizer(crash)
    with pytest.raises(AuthorizerFailure) as failure:
        auth.authorize(ARN, {"Authorization": "x"}, {}, {}, "r")
    assert failure.value.response_type == "AUTHORIZER_FAILURE"
    auth, _, _ = authorizer(lambda event: {"nope": 1})
    with pytest.raises(AuthorizerFailure) as failure:
        auth.authorize(ARN, {"Authorization": "x"}, {}, {}, "r")
    assert failure.value.response_type == "AUTHORIZER_CONFIGURATION_ERROR"


def test_validation_expression_and_zero_ttl():
    auth, calls, _ = authorizer(allow_session, ttl=0)
    auth.validation_expression = r"^Bearer [A-Za-z0-9._-]+$"
    with pytest.raises(Unauthorized):
        auth.authorize(f"{ARN}/GET/sat/session", {"Authorization": "Basic abc"}, {}, {}, "r")
    auth.authorize(f"{ARN}/GET/sat/session", {"Authorization": "Bearer abc"}, {}, {}, "r")
    auth.authorize(f"{ARN}/GET/sat/session", {"Authorization": "Bearer abc"}, {}, {}, "r")
    assert len(calls) == 2
