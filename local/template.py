"""The synthesized CloudFormation template and its intrinsic functions, resolved to local values.

`Template` knows each resource's physical name (the template's explicit name when it has one,
else a deterministic name from the logical id) and resolves `Ref`, `Fn::GetAtt`, `Fn::Join`,
`Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (with `Conditions`), `Fn::FindInMap`,
`Fn::Base64`, `Fn::GetAZs` and the pseudo parameters against the values the provisioner
recorded for the resources it created in moto (`Template.set_attrs`).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCOUNT_ID = "123456789012"  # moto's default account
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"


class TemplateError(RuntimeError):
    """The template uses something the local runtime cannot resolve."""


# Property that holds the explicit physical name, per resource type.
NAME_PROPERTIES: dict[str, str] = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::Cognito::UserPoolClient": "ClientName",
    "AWS::Cognito::UserPoolGroup": "GroupName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::SES::EmailIdentity": "EmailIdentity",
    "AWS::SES::ConfigurationSet": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::KMS::Alias": "AliasName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::ApiGateway::RestApi": "Name",
}


def _deterministic_name(stack: str, logical_id: str, rtype: str) -> str:
    name = f"{stack}-{logical_id}"
    if rtype == "AWS::S3::Bucket":
        name = re.sub(r"[^a-z0-9-]", "-", name.lower())[:63].strip("-")
    elif rtype == "AWS::SQS::Queue":
        name = re.sub(r"[^A-Za-z0-9_-]", "-", name)[:80]
    elif rtype in ("AWS::Lambda::Function", "AWS::IAM::Role"):
        name = name[:64]
    return name


@dataclass
class Template:
    """A loaded template plus the local values of its resources."""

    doc: dict[str, Any]
    stack_name: str = "local"
    region: str = "us-east-1"
    account_id: str = ACCOUNT_ID
    cdk_out: Path | None = None
    # logical id -> {"Ref": value, "<Attr>": value, ...}, filled in by the provisioner
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The local URL that serves the template's API stage (local.runtime sets it before the functions start).
    api_url: str | None = None
    # Where the local runtime serves each other RestApi (logical id -> URL), e.g. the portal's (decision 0080).
    local_urls: dict[str, str] = field(default_factory=dict)
    # Configured public URLs (e.g. cdk.json portalBaseUrl) -> where the local runtime really serves them, so links
    # the functions build (e-mails, S3's redirect) open this runtime's portal whatever its port (decision 0088).
    url_aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path, **kwargs: Any) -> Template:
        path = Path(path)
        doc = json.loads(path.read_text())
        stack = kwargs.pop("stack_name", None) or path.name.split(".template.json")[0]
        return cls(doc=doc, stack_name=stack, cdk_out=path.parent, **kwargs)

    # ----------------------------------------------------------------- structure
    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.doc.get("Resources", {})

    def active_resources(self) -> dict[str, dict[str, Any]]:
        """Resources whose `Condition` (if any) holds."""
        return {lid: r for lid, r in self.resources.items() if self.condition(r.get("Condition"))}

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.active_resources().items() if r.get("Type") in types}

    def props(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties", {}) or {}

    def rtype(self, logical_id: str) -> str:
        return self.resources[logical_id]["Type"]

    def physical_name(self, logical_id: str) -> str:
        """The explicit name in the template (resolved), else a deterministic one."""
        rtype = self.rtype(logical_id)
        prop = NAME_PROPERTIES.get(rtype)
        if prop:
            value = self.props(logical_id).get(prop)
            if value is not None:
                return str(self.resolve(value))
        if rtype == "AWS::SES::Template":
            value = (self.props(logical_id).get("Template") or {}).get("TemplateName")
            if value is not None:
                return str(self.resolve(value))
        name = _deterministic_name(self.stack_name, logical_id, rtype)
        if rtype == "AWS::SQS::Queue" and self.resolve(self.props(logical_id).get("FifoQueue", False)) in (
            True,
            "true",
        ):
            name = name[:75] + ".fifo"
        return name

    def stage_urls(self) -> list[str]:
        """The URLs AWS gives the template's API stages: https://<api id>.execute-api.<region>.<suffix>/<stage>."""
        return [url for _, url in self.api_stage_urls()]

    def api_stage_urls(self) -> list[tuple[str, str]]:
        """(RestApi logical id, stage URL) of each stage; a stage belongs to the RestApi its RestApiId names."""
        apis = self.of_type("AWS::ApiGateway::RestApi")
        out = []
        for r in self.of_type("AWS::ApiGateway::Stage").values():
            props = r.get("Properties", {})
            if not props.get("StageName"):
                continue
            owner = (props.get("RestApiId") or {}).get("Ref") if isinstance(props.get("RestApiId"), dict) else None
            stage = str(self.resolve(props["StageName"]))
            for api in [owner] if owner in apis else list(apis):
                out.append((api, f"https://{self.ref(api)}.execute-api.{self.region}.{URL_SUFFIX}/{stage}"))
        return out

    def localize(self, value: str) -> str:
        """A value that is (or starts with) an API's stage URL points at where the local runtime serves that API
        instead: the CDK app hands the functions that URL (PUBLIC_API_BASE_URL, decision 0054). The same for a
        configured URL in `url_aliases` (PORTAL_BASE_URL)."""
        for api, stage_url in self.api_stage_urls():
            local = self.local_urls.get(api) or self.api_url
            if local and (value == stage_url or value.startswith(stage_url + "/")):
                return local.rstrip("/") + value[len(stage_url) :]
        for configured, local in self.url_aliases.items():
            configured = configured.rstrip("/")
            if value == configured or value.startswith(configured + "/"):
                return local.rstrip("/") + value[len(configured) :]
        return value

    def output(self, name: str) -> Any:
        """The resolved value of one of the template's Outputs (None when it has no such output)."""
        out = (self.doc.get("Outputs") or {}).get(name)
        return self.resolve(out.get("Value")) if isinstance(out, dict) else None

    def set_attrs(self, logical_id: str, **values: Any) -> None:
        self.attrs.setdefault(logical_id, {}).update(values)

    # ----------------------------------------------------------------- conditions
    def condition(self, name: str | None) -> bool:
        if name is None:
            return True
        conditions = self.doc.get("Conditions", {})
        if name not in conditions:
            raise TemplateError(f"unknown condition {name!r}")
        return bool(self._cond(conditions[name]))

    def _cond(self, expr: Any) -> Any:
        if isinstance(expr, dict) and len(expr) == 1:
            ((key, arg),) = expr.items()
            if key == "Fn::Equals":
                a, b = (self._cond(x) for x in arg)
                return str(a) == str(b)
            if key == "Fn::Not":
                return not self._cond(arg[0])
            if key == "Fn::And":
                return all(self._cond(x) for x in arg)
            if key == "Fn::Or":
                return any(self._cond(x) for x in arg)
            if key == "Condition":
                return self.condition(arg)
        return self.resolve(expr)

    # ----------------------------------------------------------------- intrinsics
    def pseudo(self, name: str) -> Any:
        values = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.arn("cloudformation", f"stack/{self.stack_name}/local"),
            "AWS::NoValue": _NO_VALUE,
            "AWS::NotificationARNs": [],
        }
        if name not in values:
            raise TemplateError(f"unknown pseudo parameter {name}")
        return values[name]

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        params = self.doc.get("Parameters", {})
        if name in params:
            if "Default" not in params[name]:
                raise TemplateError(f"parameter {name} has no default")
            return params[name]["Default"]
        if name not in self.resources:
            raise TemplateError(f"Ref to unknown resource {name}")
        known = self.attrs.get(name, {})
        if "Ref" in known:
            return known["Ref"]
        return self.default_ref(name)

    def default_ref(self, logical_id: str) -> Any:
        """Ref of a resource the provisioner did not record (skipped or emulated types)."""
        rtype = self.rtype(logical_id)
        name = self.physical_name(logical_id)
        if rtype == "AWS::Lambda::LayerVersion":
            return self.arn("lambda", f"layer:{name}:1")
        if rtype == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.{URL_SUFFIX}/{self.account_id}/{name}"
        return name

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{PARTITION}:{service}:{self.region if region else ''}:{self.account_id if account else ''}:{resource}"
        )

    def get_att(self, logical_id: str, attr: str) -> Any:
        if logical_id not in self.resources:
            raise TemplateError(f"Fn::GetAtt to unknown resource {logical_id}")
        known = self.attrs.get(logical_id, {})
        if attr in known:
            return known[attr]
        rtype = self.rtype(logical_id)
        name = self.physical_name(logical_id)
        service = rtype.split("::")[1].lower()
        if attr == "Arn":
            if rtype == "AWS::Lambda::Function":
                return self.arn("lambda", f"function:{name}")
            if rtype == "AWS::IAM::Role":
                return self.arn("iam", f"role/{name}", region=False)
            if rtype == "AWS::Logs::LogGroup":
                return self.arn("logs", f"log-group:{name}:*")
            if rtype == "AWS::S3::Bucket":
                return self.arn("s3", name, region=False, account=False)
            if rtype == "AWS::SQS::Queue":
                return self.arn("sqs", name)
            return self.arn(service, f"{rtype.split('::')[2].lower()}/{name}")
        if attr == "RootResourceId":
            return f"{logical_id}-root"
        raise TemplateError(f"Fn::GetAtt {logical_id}.{attr} ({rtype}) has no local value")

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic function inside `value` (recursively)."""
        if isinstance(value, list):
            out = [self.resolve(v) for v in value]
            return [v for v in out if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, arg)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        logical_id, attr = arg[0], self.resolve(arg[1])
        return self.get_att(logical_id, attr)

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.resolve(v) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}

        def replace(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr:
                logical_id, attr = expr.split(".", 1)
                return str(self.get_att(logical_id, attr))
            return str(self.ref(expr))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _if(self, arg: Any) -> Any:
        name, yes, no = arg
        return self.resolve(yes if self.condition(name) else no)

    def _find_in_map(self, arg: Any) -> Any:
        name, top, second = (self.resolve(a) for a in arg)
        return self.doc["Mappings"][name][top][second]

    def _unsupported(self, arg: Any) -> Any:
        raise TemplateError(f"intrinsic not supported locally: {arg!r}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()

_INTRINSICS = {
    "Ref": lambda t, a: t.ref(a),
    "Fn::GetAtt": Template._get_att,
    "Fn::Join": lambda t, a: str(t.resolve(a[0])).join(str(x) for x in t.resolve(a[1])),
    "Fn::Sub": Template._sub,
    "Fn::Select": lambda t, a: t.resolve(a[1])[int(t.resolve(a[0]))],
    "Fn::Split": lambda t, a: str(t.resolve(a[1])).split(t.resolve(a[0])),
    "Fn::If": Template._if,
    "Fn::FindInMap": Template._find_in_map,
    "Fn::Base64": lambda t, a: base64.b64encode(str(t.resolve(a)).encode()).decode(),
    "Fn::GetAZs": lambda t, a: [f"{t.region}{z}" for z in "abc"],
    "Fn::ImportValue": Template._unsupported,
}
