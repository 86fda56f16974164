"""What `python -m ops` works on: a deployed stack (CloudFormation outputs, the ambient AWS credentials) or the
local runtime (`--local`: its ready.json, its moto endpoint and fake credentials). Both give the same
`Target`: clients for the right account and the stack's outputs by name, so every command is one code path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ops.errors import NO_TARGET, OpsError

if TYPE_CHECKING:
    from sat_common.items import ItemStore

# The outputs the commands read (infra/stack.py creates them).
MAIN_TABLE = "MainTableName"
REFERENCE_TABLE = "ReferenceTableName"
AUDIT_TABLE = "AuditTableName"
PEOPLE_POOL = "PeopleUserPoolId"
OUTBOX_QUEUE = "OutboxQueueUrl"
PORTAL_BASE_URL = "PortalBaseUrl"
API_URL = "ApiUrl"
STAGE = "Stage"


@dataclass
class Target:
    stack_name: str
    region: str
    outputs: dict[str, str]
    local: bool = False
    endpoint_url: str | None = None  # the moto endpoint of the local runtime
    mailbox_url: str | None = None  # the local runtime's mailbox (GET /_local/mailbox)
    _session: Any = field(default=None, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def output(self, name: str) -> str:
        value = self.outputs.get(name)
        if not value:
            where = "the local runtime's template" if self.local else f"the outputs of stack {self.stack_name}"
            raise OpsError(f"{name} is missing from {where}: deploy the current version of the stack", NO_TARGET)
        return value

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self.endpoint_url, config=_config())
        return self._clients[service]

    def table(self, name: str) -> Any:
        return self._session.resource("dynamodb", endpoint_url=self.endpoint_url, config=_config()).Table(name)

    def store[Repo: ItemStore](self, repository: type[Repo], output: str) -> Repo:
        """`repository` (an ItemStore: a function's repository or one of ops.repositories) on the table named by
        the stack's output `output`, reached with this target's credentials and endpoint."""
        return bind(repository, self.table(self.output(output)))

    @property
    def description(self) -> str:
        return f"local runtime ({self.endpoint_url})" if self.local else f"stack {self.stack_name} in {self.region}"


def bind[Repo: ItemStore](repository: type[Repo], table: Any) -> Repo:
    """`repository` on `table` (a boto3 Table resource): the repositories reach their table through
    sat_common.aws (the default session, as in Lambda); ops reaches the target's, so the same named
    operations write what the functions read."""
    bound = type(repository.__name__, (repository,), {"table": property(lambda _self: table)})
    return bound(table.name)  # type: ignore[no-any-return]


def _config() -> Any:
    from botocore.config import Config

    # "standard" retries ride out throttling; short timeouts make an unreachable endpoint fail fast.
    return Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)


def deployed(stack_name: str, region: str | None, profile: str | None) -> Target:
    """The stack's outputs from CloudFormation DescribeStacks, with the ambient credentials (or `profile`)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    session = boto3.Session(region_name=region, profile_name=profile)
    if not session.region_name:
        raise OpsError("no AWS region: pass --region or set AWS_REGION", NO_TARGET)
    try:
        stacks = session.client("cloudformation", config=_config()).describe_stacks(StackName=stack_name)["Stacks"]
    except NoCredentialsError:
        raise OpsError("no AWS credentials: set AWS_PROFILE or the AWS_* variables", NO_TARGET) from None
    except NoRegionError:
        raise OpsError("no AWS region: pass --region or set AWS_REGION", NO_TARGET) from None
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "")
        if "does not exist" in message:
            raise OpsError(f"stack {stack_name} does not exist in {session.region_name}", NO_TARGET) from None
        raise OpsError(f"CloudFormation refused DescribeStacks: {message}") from None
    except BotoCoreError as error:
        raise OpsError(f"cannot reach CloudFormation: {error}") from None
    stack = stacks[0]
    status = str(stack.get("StackStatus", ""))
    if not status.endswith("_COMPLETE") or "ROLLBACK" in status or status.startswith("DELETE"):
        raise OpsError(f"stack {stack_name} is {status}: wait for a successful deploy", NO_TARGET)
    outputs = {str(o["OutputKey"]): str(o["OutputValue"]) for o in stack.get("Outputs", [])}
    return Target(stack_name=stack_name, region=str(session.region_name), outputs=outputs, _session=session)


def local(workdir: Path) -> Target:
    """The local runtime started with `python -m local --workdir <workdir>` (its ready.json)."""
    import boto3

    ready = workdir / "ready.json"
    if not ready.exists():
        raise OpsError(f"{ready} not found: start the local runtime (make local) or pass its --workdir", NO_TARGET)
    info = json.loads(ready.read_text())
    outputs = local_outputs(info)
    # moto's fake credentials (local/aws.py): nothing here can reach AWS.
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=info["region"])  # noqa: S106
    return Target(
        stack_name=str(info.get("stack", "")),
        region=str(info["region"]),
        outputs=outputs,
        local=True,
        endpoint_url=str(info["moto_url"]),
        mailbox_url=info.get("mailbox_url"),
        _session=session,
    )


def local_outputs(info: dict[str, Any]) -> dict[str, str]:
    """The template's Outputs resolved to the local runtime's resources (the ids it recorded in ready.json);
    an output that has no local value (e.g. a KMS key ARN) is left out."""
    from local.template import Template, TemplateError

    template = Template.load(info["template"], region=info["region"])
    recorded: set[str] = set()
    for group in ("tables", "user_pools", "user_pool_clients"):
        for logical_id, physical in (info.get(group) or {}).items():
            template.set_attrs(logical_id, Ref=physical)
            recorded.add(logical_id)
    for logical_id, url in (info.get("queues") or {}).items():
        template.set_attrs(logical_id, Ref=url, QueueUrl=url)
        recorded.add(logical_id)
    outputs: dict[str, str] = {}
    for name, output in template.doc.get("Outputs", {}).items():
        if not _references(output.get("Value")) <= recorded:  # e.g. a KMS key or topic moto never had
            continue
        try:
            value = template.resolve(output["Value"])
        except (TemplateError, KeyError):
            continue
        if isinstance(value, str | int | float):
            outputs[name] = str(value)
    outputs[API_URL] = str(info["api_url"])  # the local API, not the stage URL the template would name
    return outputs


def _references(value: Any) -> set[str]:
    """Logical ids a template value points at (Ref and Fn::GetAtt; pseudo parameters are not resources)."""
    if isinstance(value, list):
        return set().union(*(_references(v) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found: set[str] = set()
    for key, item in value.items():
        if key == "Ref" and isinstance(item, str) and not item.startswith("AWS::"):
            found.add(item)
        elif key == "Fn::GetAtt":
            found.add(item.split(".")[0] if isinstance(item, str) else item[0])
        else:
            found |= _references(item)
    return found
