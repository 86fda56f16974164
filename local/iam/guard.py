"""The check on every AWS call a function makes: evaluate its role, answer AccessDenied as AWS would.

In a Lambda worker process (`install_if_requested`, called by `local.lambda_host` before the handler is
imported) every botocore client gets two event handlers:

- `before-parameter-build`: `required(...)` turns the call's parameters into IAM checks, evaluated against
  the function's own role; a denial is kept in the request context;
- `before-call`: a denied call is answered without reaching moto, with the error AWS returns
  (`AccessDeniedException`/400 for JSON services, `AccessDenied`/403 for S3 and query-protocol services,
  `KMS.AccessDeniedException` when SQS is refused the queue's key), so botocore raises the same ClientError.

Presigned URLs and POSTs make no API call: they are evaluated when they are generated (the signer's
permissions are what S3 checks at upload time), logged, and a denial is printed; the URL is still
returned, as AWS would, and the upload itself is not checked locally.

Every decision is one JSON line in the decision log: function, caller, operation, action, resource,
decision (allow / deny / unmodelled), the deciding statement; never parameters or values.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.session import Session

from local.iam.actions import Facts, Requirement, Unmodelled, required
from local.iam.policy import ContextValue, Policy, Verdict

ENV = "_LOCAL_IAM_POLICY"  # path of the function's IAM file, set by local.iam.enforcement for the worker
_PRISTINE_CREATE_CLIENT = Session.create_client  # for Guard's own lookups: never hooked
_SECRET_CHANGES = frozenset({"CreateSecret", "DeleteSecret", "RestoreSecret", "UpdateSecret"})
_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Denial:
    requirement: Requirement
    verdict: Verdict

    def message(self, principal: str) -> str:
        action, resource = self.requirement.action, self.requirement.resource
        reason = (
            "with an explicit deny in an identity-based policy"
            if self.verdict.outcome == "explicit-deny"
            else f"because no identity-based policy allows the {action} action"
        )
        return f"User: {principal} is not authorized to perform: {action} on resource: {resource} {reason}"


class DecisionLog:
    """Append-only JSON lines; one write() per line with O_APPEND, so processes never interleave lines."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._fd: int | None = None

    def write(self, entry: Mapping[str, Any]) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(self._fd, (json.dumps(entry, separators=(",", ":")) + "\n").encode())


class _Body:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


class Guard:
    """One function's role, evaluated for each call of its clients."""

    def __init__(self, config: Mapping[str, Any], caller: str = "function") -> None:
        self.function = str(config["function"])
        self.principal = str(config["principal"])
        self.region = str(config["region"])
        self.account = str(config["account"])
        self.caller = caller
        self.policy = Policy.from_documents((str(name), doc) for name, doc in config["policies"])
        self.facts = Facts.from_json(config.get("facts", {}))
        self.facts.secret = self._secret
        self.log = DecisionLog(config["log"])
        self.global_context: dict[str, ContextValue] = {
            "aws:PrincipalArn": str(config["role_arn"]),
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "AssumedRole",
            "aws:RequestedRegion": self.region,
            "aws:SecureTransport": "true",  # AWS endpoints are HTTPS; the local one is not
        }
        self._verdicts: dict[tuple[Any, ...], Verdict] = {}
        self._secrets: dict[str, tuple[str | None, str | None]] = {}
        self._lookup: Any = None

    @classmethod
    def from_file(cls, path: str | Path, caller: str = "function") -> Guard:
        return cls(json.loads(Path(path).read_text()), caller=caller)

    # --------------------------------------------------------------------------- decisions
    def evaluate(self, requirement: Requirement) -> Verdict:
        context = {**self.global_context, **requirement.context}
        key = (requirement.action, requirement.resource, tuple(sorted(context.items())))
        verdict = self._verdicts.get(key)
        if verdict is None:
            if len(self._verdicts) >= _CACHE_SIZE:
                self._verdicts.clear()
            verdict = self._verdicts[key] = self.policy.evaluate(requirement.action, requirement.resource, context)
        return verdict

    def check(
        self,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        region: str | None = None,
        caller: str | None = None,
    ) -> Denial | None:
        """Evaluate one call (logging each decision); the first denial, as AWS stops at the first refusal."""
        if service == "secretsmanager" and operation in _SECRET_CHANGES:
            self._secrets.pop(str(params.get("SecretId") or params.get("Name")), None)
        entry = {"function": self.function, "caller": caller or self.caller, "operation": f"{service}.{operation}"}
        try:
            requirements = required(service, operation, params, region or self.region, self.account, self.facts)
        except Unmodelled:
            self._write(entry, action=None, resource=None, decision="unmodelled")
            return None
        except Exception as error:  # a mapping bug must not break the function: allowed, logged
            self._write(entry, action=None, resource=None, decision="unmodelled", error=type(error).__name__)
            return None
        if not requirements:  # e.g. Cognito InitiateAuth: IAM is not consulted
            action = f"{service}:{operation}"
            self._write(entry, action=action, resource=None, decision="allow", statement="(not authorized by IAM)")
        for requirement in requirements:
            verdict = self.evaluate(requirement)
            extra: dict[str, Any] = {"via": requirement.via} if requirement.via else {}
            if verdict.allowed:
                self._write(entry, requirement.action, requirement.resource, "allow", verdict.statement, **extra)
                continue
            explicit = verdict.outcome == "explicit-deny"
            self._write(
                entry, requirement.action, requirement.resource, "deny", verdict.statement, explicit=explicit, **extra
            )
            return Denial(requirement, verdict)
        return None

    def _write(
        self,
        entry: Mapping[str, Any],
        action: str | None,
        resource: str | None,
        decision: str,
        statement: str | None = None,
        **extra: Any,
    ) -> None:
        self.log.write(
            {
                "ts": round(time.time(), 3),
                **entry,
                "action": action,
                "resource": resource,
                "decision": decision,
                "statement": statement,
                **extra,
            }
        )

    # --------------------------------------------------------------------------- botocore hooks
    def attach(self, client: Any) -> Any:
        events = client.meta.events
        events.register("before-parameter-build", self._on_params, unique_id="local-iam-params")
        events.register("before-call", self._on_call, unique_id="local-iam-call")
        self._wrap_presigners(client)
        return client

    def install(self) -> None:
        """Hook every botocore client created from now on in this process (boto3's default session too)."""
        original = Session.create_client
        guard = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            return guard.attach(original(session, *args, **kwargs))

        Session.create_client = create_client  # type: ignore[method-assign]

    def _on_params(self, params: Mapping[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if context.get("is_presign_request"):
            return  # presigning is evaluated by the wrapped generate_presigned_* methods
        denial = self.check(model.service_model.service_name, model.name, params, context.get("client_region"))
        if denial is not None:
            context["local_iam_denial"] = denial

    def _on_call(self, model: Any, params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> Any:
        denial = context.pop("local_iam_denial", None)
        if denial is None:
            return None
        return self._denied(model, denial, str(params.get("url", "")))

    def _denied(self, model: Any, denial: Denial, url: str) -> tuple[AWSResponse, dict[str, Any]]:
        metadata = model.service_model.metadata
        if denial.requirement.via == "sqs":
            code, status = "KMS.AccessDeniedException", 400
        elif metadata.get("protocol") in ("json", "rest-json") and not metadata.get("awsQueryCompatible"):
            code, status = "AccessDeniedException", 400
        else:
            code, status = "AccessDenied", 403
        message = denial.message(self.principal)
        request_id = str(uuid.uuid4())
        headers = {"x-amzn-RequestId": request_id, "Content-Type": "application/x-amz-json-1.0"}
        body = json.dumps({"__type": code, "message": message}).encode()
        parsed = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {
                "RequestId": request_id,
                "HTTPStatusCode": status,
                "HTTPHeaders": headers,
                "RetryAttempts": 0,
            },
        }
        return AWSResponse(url, status, headers, _Body(body)), parsed

    def _wrap_presigners(self, client: Any) -> None:
        service = client.meta.service_model.service_name
        guard = self

        def presigned(operation: str, params: Mapping[str, Any]) -> None:
            denial = guard.check(service, operation, params, client.meta.region_name, caller="presign")
            if denial is not None:
                message = denial.message(guard.principal)
                sys.stderr.write(f"[local.iam] presigned {operation} will be refused by AWS at use: {message}\n")

        original_url: Callable[..., Any] = client.generate_presigned_url

        def generate_presigned_url(ClientMethod: str, Params: Any = None, *args: Any, **kwargs: Any) -> Any:
            presigned(client.meta.method_to_api_mapping.get(ClientMethod, ClientMethod), Params or {})
            return original_url(ClientMethod, Params, *args, **kwargs)

        client.generate_presigned_url = generate_presigned_url
        original_post: Callable[..., Any] | None = getattr(client, "generate_presigned_post", None)
        if original_post is None:
            return
        post = original_post

        def generate_presigned_post(Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:
            presigned("PutObject", {"Bucket": Bucket, "Key": Key})
            return post(Bucket, Key, *args, **kwargs)

        client.generate_presigned_post = generate_presigned_post

    # --------------------------------------------------------------------------- observed facts
    def _secret(self, secret_id: str) -> tuple[str | None, str | None]:
        """(ARN, KMS key) of an existing secret, read from moto once per process (not logged, not checked)."""
        if secret_id in self._secrets:
            return self._secrets[secret_id]
        try:
            if self._lookup is None:
                self._lookup = _PRISTINE_CREATE_CLIENT(Session(), "secretsmanager", region_name=self.region)
            described = self._lookup.describe_secret(SecretId=secret_id)
        except Exception:  # no such secret (the call itself will say so): nothing to add
            return None, None
        found = (described.get("ARN"), described.get("KmsKeyId"))
        self._secrets[secret_id] = found
        return found


def install_if_requested() -> Guard | None:
    """In a Lambda worker: enforce the role named by the environment (set by the runtime), if any."""
    path = os.environ.pop(ENV, None)
    if not path:
        return None
    guard = Guard.from_file(path)
    guard.install()
    return guard
