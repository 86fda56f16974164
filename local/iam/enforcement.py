"""The runtime side of IAM enforcement: one IAM file and one set of credentials per function.

For each `AWS::Lambda::Function` whose `Role` is a role of the template, `Enforcement`:

1. creates the role in moto IAM (same name and trust policy) and calls `sts:AssumeRole` with the function
   name as session name, so the worker's calls carry that role's session credentials, as in Lambda
   (moto does not check them; if moto refuses, the worker keeps the shared fake credentials);
2. writes `<workdir>/iam/<LogicalId>.json`: the role's policy documents (intrinsics resolved to the local
   resources), the principal, and the template's facts the checks need (customer-managed keys of queues
   and buckets, KMS aliases, SES identities). The worker reads it (`local.iam.guard`) through
   `_LOCAL_IAM_POLICY`; the function code never sees it;
3. gives the SQS event source mapping pollers a client with the same role, checked the same way.

Decisions of every process go to `<workdir>/iam-decisions.jsonl`; `summary()` counts them at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import boto3

from local import aws
from local.iam.guard import ENV, Guard
from local.iam.policy import Policy
from local.iam.roles import facts, function_role, role_documents
from local.template import Template

LOG_NAME = "iam-decisions.jsonl"


class Enforcement:
    def __init__(self, template: Template, workdir: Path, endpoint: str, functions: dict[str, str]) -> None:
        """`functions`: logical id -> function name, for every function to enforce."""
        self.endpoint = endpoint
        self.region = template.region
        self.log_path = workdir / LOG_NAME
        self.log_path.unlink(missing_ok=True)  # counts are per run
        folder = workdir / "iam"
        folder.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, Path] = {}
        self.credentials: dict[str, dict[str, str]] = {}
        self.warnings: list[str] = []
        shared = facts(template).to_json()
        for lid, name in functions.items():
            role = function_role(template, lid)
            if role is None:
                self.warnings.append(f"{lid}: its role is not a resource of the template; IAM not enforced for it")
                continue
            documents, warnings = role_documents(template, role)
            self.warnings += warnings
            Policy.from_documents(documents)  # an operator local.iam does not know stops the start here
            role_name = str(template.ref(role))
            config = {
                "function": name,
                "logical_id": lid,
                "role": role_name,
                "role_arn": str(template.get_att(role, "Arn")),
                "principal": f"arn:aws:sts::{template.account_id}:assumed-role/{role_name}/{name}",
                "region": template.region,
                "account": template.account_id,
                "policies": documents,
                "facts": shared,
                "log": str(self.log_path),
            }
            self.files[lid] = folder / f"{lid}.json"
            self.files[lid].write_text(json.dumps(config, indent=1))
            self.credentials[lid] = self._assume(template, role, config)

    def _assume(self, template: Template, role: str, config: dict[str, Any]) -> dict[str, str]:
        """The role's session credentials from moto STS (after creating the role in moto IAM), or {}."""
        try:
            iam = aws.client("iam", self.endpoint, self.region)
            props = template.resolve(template.props(role))
            with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):  # a role shared by functions
                iam.create_role(
                    RoleName=config["role"],
                    Path=props.get("Path", "/"),
                    AssumeRolePolicyDocument=json.dumps(props.get("AssumeRolePolicyDocument", {})),
                )
            found = aws.client("sts", self.endpoint, self.region).assume_role(
                RoleArn=config["role_arn"], RoleSessionName=config["function"][:64]
            )["Credentials"]
        except Exception as error:  # attribution only; enforcement does not depend on it
            self.warnings.append(f"{config['logical_id']}: no role credentials from moto ({error}); fake ones used")
            return {}
        return {
            "AWS_ACCESS_KEY_ID": found["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": found["SecretAccessKey"],
            "AWS_SESSION_TOKEN": found["SessionToken"],
        }

    def worker_environment(self, logical_id: str) -> dict[str, str]:
        """What a worker of that function gets on top of its environment: the role's credentials and IAM file."""
        if logical_id not in self.files:
            return {}
        return {**self.credentials.get(logical_id, {}), ENV: str(self.files[logical_id])}

    def client(self, logical_id: str, service: str, endpoint: str, region: str, caller: str) -> Any:
        """A client acting as the function's role (the event source mapping's poller), checked like the worker's."""
        creds = self.credentials.get(logical_id)
        if not creds:
            client = aws.client(service, endpoint, region)
        else:
            client = boto3.client(
                service,  # type: ignore[call-overload]
                endpoint_url=endpoint,
                region_name=region,
                aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=creds["AWS_SESSION_TOKEN"],
            )
        if logical_id in self.files:
            Guard.from_file(self.files[logical_id], caller=caller).attach(client)
        return client

    def describe(self) -> str:
        with_creds = sum(1 for c in self.credentials.values() if c)
        lines = [
            f"IAM enforced for {len(self.files)} functions (own role each; {with_creds} with sts:AssumeRole "
            f"credentials from moto); decisions in {self.log_path}  (switch off: --no-iam or LOCAL_IAM=off)"
        ]
        return "\n".join(lines + [f"WARNING {w}" for w in self.warnings])

    def decisions(self) -> list[dict[str, Any]]:
        return read_decisions(self.log_path)

    def summary(self) -> str:
        return summary(self.log_path)


def read_decisions(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text()
    except OSError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def summary(path: Path) -> str:
    """Decisions, denials and unmodelled operations of a run (its decision log), with the denied calls."""
    decisions = read_decisions(path)
    counts = Counter(d["decision"] for d in decisions)
    lines = [f"IAM: {len(decisions)} decisions, {counts['deny']} denials, {counts['unmodelled']} unmodelled ({path})"]
    denied = Counter((d["function"], d["action"], d["resource"]) for d in decisions if d["decision"] == "deny")
    for (function, action, resource), n in denied.most_common(10):
        lines.append(f"  DENIED x{n}: {function} {action} on {resource}")
    unmodelled = Counter(d["operation"] for d in decisions if d["decision"] == "unmodelled")
    if unmodelled:
        lines.append("  unmodelled (allowed): " + ", ".join(f"{op} x{n}" for op, n in unmodelled.most_common()))
    return "\n".join(lines)


def enabled(flag: bool | None = None) -> bool:
    """The switch: an explicit flag wins, else LOCAL_IAM (anything but off/0/false/no means on)."""
    if flag is not None:
        return flag
    return os.environ.get("LOCAL_IAM", "on").strip().lower() not in ("off", "0", "false", "no")


def log(message: str) -> None:
    for line in message.splitlines():
        print(f"[local] {line}", file=sys.stdout, flush=True)
