"""AWS WAF emulation: the web ACL of the template, applied to each request before API Gateway sees it.

A request the web ACL blocks gets API Gateway's WAF_FILTERED gateway response (403), as in AWS.
Evaluated as WAF does: rules by priority, the first terminating action (Block or Allow) wins, Count
goes on, and the default action applies when no rule terminates.

Emulated from the template: the statements SizeConstraint, ByteMatch, RegexMatch, And, Or, Not and
RateBased (per source IP, or per the address in a header with `ForwardedIPConfig` (FORWARDED_IP), over the
evaluation window; the scope-down statement too); managed rule groups' `OverrideAction` and
`RuleActionOverrides`; `{{resolve:secretsmanager:...}}` in a statement's strings, read from the local Secrets
Manager as CloudFormation does at deploy time (decision 0087). Not emulated: the CAPTCHA and Challenge actions
(a browser puzzle and script): those rules are skipped, as if every client held a valid token, and listed in
`WebAcl.skipped` for the runtime's banner and ready.json (decision 0088).
Of AWS's managed rule groups, the rules a client of this API can trip by itself are modelled from AWS's
documentation of AWSManagedRulesCommonRuleSet:
NoUserAgent_HEADER, SizeRestrictions_BODY (8 KB), SizeRestrictions_QUERYSTRING (2 KB),
SizeRestrictions_URIPATH (1 KB) and SizeRestrictions_Cookie_HEADER (10 KB). Signature rules (XSS,
SQL injection, known bad inputs, IP reputation) are not emulated: docs/local-runtime.md lists them.

WAF sees the URI path of the stage's endpoint, `/<stage>/<route path>`, which is what is matched here.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local.template import Template

# The body WAF inspects in front of API Gateway unless the web ACL raises it (AssociationConfig).
DEFAULT_BODY_INSPECTION_LIMIT = 16 * 1024
_INSPECTION_LIMITS = {"KB_16": 16 * 1024, "KB_32": 32 * 1024, "KB_48": 48 * 1024, "KB_64": 64 * 1024}

# AWSManagedRulesCommonRuleSet: name -> (component, size limit in bytes); NoUserAgent_HEADER apart.
COMMON_RULE_SET_SIZES = {
    "SizeRestrictions_BODY": ("body", 8 * 1024),
    "SizeRestrictions_QUERYSTRING": ("query", 2 * 1024),
    "SizeRestrictions_URIPATH": ("path", 1024),
    "SizeRestrictions_Cookie_HEADER": ("cookie", 10 * 1024),
}


# Rule actions the local runtime cannot perform: a puzzle or a script run by the browser.
NOT_EMULATED_ACTIONS = ("Captcha", "Challenge")
_DYNAMIC_SECRET = re.compile(
    r"\{\{resolve:secretsmanager:(?P<id>[^:}]+(?::[^:}]+)*?):SecretString:(?P<key>[^:}]*):[^}]*\}\}"
)


@dataclass
class WafRequest:
    method: str
    path: str  # as WAF sees it: /<stage>/<route path>
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    source_ip: str


@dataclass
class WebAcl:
    name: str
    rules: list[dict[str, Any]]
    default_block: bool = False
    body_limit: int = DEFAULT_BODY_INSPECTION_LIMIT
    _hits: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _warned: set[str] = field(default_factory=set)

    @property
    def skipped(self) -> list[str]:
        """Rules not applied locally, as "<rule> (<action>)": the CAPTCHA / Challenge rules."""
        return [
            f"{rule.get('Name')} ({action})"
            for rule in self.rules
            for action in NOT_EMULATED_ACTIONS
            if action in (rule.get("Action") or {})
        ]

    @classmethod
    def from_template(
        cls, template: Template, rest_api: str | None = None, secret_value: Callable[[str], str] | None = None
    ) -> WebAcl | None:
        """The REGIONAL web ACL associated with a stage of `rest_api` (None: of any RestApi), if there is one.
        `secret_value(secret id)` resolves the secretsmanager dynamic references in its rules."""
        associated = set()
        for res in template.of_type("AWS::WAFv2::WebACLAssociation").values():
            if rest_api is not None and json.dumps({"Ref": rest_api}) not in json.dumps(
                (res.get("Properties") or {}).get("ResourceArn")
            ):
                continue
            arn = (res.get("Properties") or {}).get("WebACLArn")
            if isinstance(arn, dict) and "Fn::GetAtt" in arn:
                att = arn["Fn::GetAtt"]
                associated.add(att[0] if isinstance(att, list) else att.split(".")[0])
        for lid in template.of_type("AWS::WAFv2::WebACL"):
            if lid not in associated:
                continue
            props = template.resolve(template.props(lid))
            limit = (((props.get("AssociationConfig") or {}).get("RequestBody") or {}).get("API_GATEWAY") or {}).get(
                "DefaultSizeInspectionLimit"
            )
            rules = _dynamic_references(props.get("Rules", []), secret_value)
            return cls(
                name=str(props.get("Name", lid)),
                rules=sorted(rules, key=lambda r: int(r.get("Priority", 0))),
                default_block="Block" in (props.get("DefaultAction") or {}),
                body_limit=_INSPECTION_LIMITS.get(str(limit), DEFAULT_BODY_INSPECTION_LIMIT),
            )
        return None

    def blocking_rule(self, request: WafRequest, now: float | None = None) -> str | None:
        """The name of the rule that blocks the request (e.g. "AWSManagedRulesCommonRuleSet/NoUserAgent_HEADER"),
        or None when it is allowed."""
        now = time.monotonic() if now is None else now
        for rule in self.rules:
            name = str(rule.get("Name"))
            statement = rule.get("Statement") or {}
            action = rule.get("Action") or {}
            if any(a in action for a in NOT_EMULATED_ACTIONS):
                continue  # no puzzle locally: as with a valid token, evaluation goes on (docs/local-runtime.md)
            if "ManagedRuleGroupStatement" in statement:
                blocked = self._managed(statement["ManagedRuleGroupStatement"], rule, request)
                if blocked:
                    return f"{name}/{blocked}"
                continue
            if "RateBasedStatement" in statement:
                matched = self._rate(name, statement["RateBasedStatement"], request, now)
            else:
                matched = self._matches(statement, request)
            if not matched:
                continue
            if "Block" in action:
                return name
            if "Allow" in action:
                return None
        return "DefaultAction" if self.default_block else None

    # ---------------------------------------------------------------- managed rule groups
    def _managed(self, group: dict[str, Any], rule: dict[str, Any], request: WafRequest) -> str | None:
        if "Count" in (rule.get("OverrideAction") or {}):
            return None
        name = str(group.get("Name"))
        if group.get("VendorName") != "AWS" or name != "AWSManagedRulesCommonRuleSet":
            self._warn_once(name, f"[waf] managed rule group {name} is not emulated locally")
            return None
        overridden = {
            str(o.get("Name"))
            for o in group.get("RuleActionOverrides") or []
            if "Block" not in (o.get("ActionToUse") or {})
        } | {str(e.get("Name")) for e in group.get("ExcludedRules") or []}
        if not request.headers.get("user-agent", "").strip() and "NoUserAgent_HEADER" not in overridden:
            return "NoUserAgent_HEADER"
        sizes = {
            "body": len(request.body),
            "query": len(request.query.encode()),
            "path": len(request.path.encode()),
            "cookie": len(request.headers.get("cookie", "").encode()),
        }
        for rule_name, (component, limit) in COMMON_RULE_SET_SIZES.items():
            if sizes[component] > limit and rule_name not in overridden:
                return rule_name
        return None

    # ---------------------------------------------------------------- rate-based rules
    def _rate(self, name: str, rate: dict[str, Any], request: WafRequest, now: float) -> bool:
        scope = rate.get("ScopeDownStatement")
        if scope and not self._matches(scope, request):
            return False
        kind = rate.get("AggregateKeyType", "IP")
        if kind == "IP":
            address = request.source_ip
        elif kind == "FORWARDED_IP":
            config = rate.get("ForwardedIPConfig") or {}
            header = request.headers.get(str(config.get("HeaderName", "")).lower())
            if header is None:
                return False  # AWS WAF does not apply the rule to a request without the header
            try:  # the first address in the header, as AWS WAF reads it
                address = str(ipaddress.ip_address(header.split(",")[0].strip()))
            except ValueError:
                return config.get("FallbackBehavior") == "MATCH"
        else:
            self._warn_once(f"rate:{name}", f"[waf] rate rule {name}: {kind} aggregation is not emulated")
            return False
        window = float(rate.get("EvaluationWindowSec", 300))
        limit = int(rate["Limit"])
        with self._lock:
            hits = self._hits.setdefault((name, address), deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            hits.append(now)
            return len(hits) > limit

    # ---------------------------------------------------------------- statements
    def _matches(self, statement: dict[str, Any], request: WafRequest) -> bool:
        if "AndStatement" in statement:
            return all(self._matches(s, request) for s in statement["AndStatement"]["Statements"])
        if "OrStatement" in statement:
            return any(self._matches(s, request) for s in statement["OrStatement"]["Statements"])
        if "NotStatement" in statement:
            return not self._matches(statement["NotStatement"]["Statement"], request)
        if "SizeConstraintStatement" in statement:
            return self._size(statement["SizeConstraintStatement"], request)
        if "ByteMatchStatement" in statement:
            s = statement["ByteMatchStatement"]
            value = _transformed(self._field(s["FieldToMatch"], request), s.get("TextTransformations"))
            return _byte_match(value, str(s["SearchString"]), str(s.get("PositionalConstraint", "CONTAINS")))
        if "RegexMatchStatement" in statement:
            s = statement["RegexMatchStatement"]
            value = _transformed(self._field(s["FieldToMatch"], request), s.get("TextTransformations"))
            return re.search(str(s["RegexString"]), value) is not None
        kind = next(iter(statement), "?")
        self._warn_once(kind, f"[waf] statement {kind} is not emulated locally (treated as no match)")
        return False

    def _size(self, s: dict[str, Any], request: WafRequest) -> bool:
        field_to_match = s["FieldToMatch"]
        if "Body" in field_to_match or "JsonBody" in field_to_match:
            inner = field_to_match.get("Body") or field_to_match.get("JsonBody") or {}
            if len(request.body) > self.body_limit:
                handling = inner.get("OversizeHandling", "CONTINUE")
                if handling == "MATCH":
                    return True
                if handling == "NO_MATCH":
                    return False
            size = min(len(request.body), self.body_limit)
        else:
            size = len(self._field(field_to_match, request).encode())
        limit = int(s["Size"])
        return {
            "GT": size > limit,
            "GE": size >= limit,
            "LT": size < limit,
            "LE": size <= limit,
            "EQ": size == limit,
            "NE": size != limit,
        }[str(s["ComparisonOperator"])]

    def _field(self, field_to_match: dict[str, Any], request: WafRequest) -> str:
        if "UriPath" in field_to_match:
            return request.path
        if "QueryString" in field_to_match:
            return request.query
        if "Method" in field_to_match:
            return request.method
        if "SingleHeader" in field_to_match:
            return request.headers.get(str(field_to_match["SingleHeader"]["Name"]).lower(), "")
        if "Body" in field_to_match:
            return request.body[: self.body_limit].decode("utf-8", errors="replace")
        kind = next(iter(field_to_match), "?")
        self._warn_once(f"field:{kind}", f"[waf] field {kind} is not emulated locally (empty)")
        return ""

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            sys.stderr.write(message + "\n")


def _dynamic_references(value: Any, secret_value: Callable[[str], str] | None) -> Any:
    """Strings with `{{resolve:secretsmanager:<id>:SecretString:<json key>::}}` get the secret's value."""
    if isinstance(value, list):
        return [_dynamic_references(v, secret_value) for v in value]
    if isinstance(value, dict):
        return {k: _dynamic_references(v, secret_value) for k, v in value.items()}
    if not isinstance(value, str) or "{{resolve:secretsmanager:" not in value:
        return value

    def resolve(match: re.Match[str]) -> str:
        if secret_value is None:
            sys.stderr.write("[waf] a rule refers to a secret and no secret reader was given: it never matches\n")
            return match.group(0)
        secret = secret_value(match.group("id"))
        return str(json.loads(secret)[match.group("key")]) if match.group("key") else secret

    return _DYNAMIC_SECRET.sub(resolve, value)


def _transformed(value: str, transformations: list[dict[str, Any]] | None) -> str:
    for t in sorted(transformations or [], key=lambda t: int(t.get("Priority", 0))):
        kind = t.get("Type", "NONE")
        if kind == "LOWERCASE":
            value = value.lower()
        elif kind == "URL_DECODE":
            from urllib.parse import unquote

            value = unquote(value)
        elif kind == "COMPRESS_WHITE_SPACE":
            value = re.sub(r"\s+", " ", value)
    return value


def _byte_match(value: str, search: str, position: str) -> bool:
    if position == "EXACTLY":
        return value == search
    if position == "STARTS_WITH":
        return value.startswith(search)
    if position == "ENDS_WITH":
        return value.endswith(search)
    if position == "CONTAINS_WORD":
        return re.search(rf"(^|\W){re.escape(search)}($|\W)", value) is not None
    return search in value
