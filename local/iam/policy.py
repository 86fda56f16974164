"""IAM identity-policy evaluation: Allow, explicit Deny or implicit deny for one request.

Rules (IAM's policy evaluation logic for identity-based policies of one principal, no boundaries, SCPs or
session policies):

- an applicable `Deny` statement wins over any `Allow`; no applicable statement is an implicit deny;
- `Action`/`NotAction` match case-insensitively, `Resource`/`NotResource` case-sensitively, both with the
  `*` and `?` wildcards (a wildcard may span `:` and `/`, as in `arn:aws:s3:::bucket/*`); policy
  variables (`${aws:username}`, `${*}`, ...) are filled in from the request context, and a resource
  pattern whose variable is missing matches nothing;
- `Condition`: every operator block must hold (AND), every key in it must hold (AND), a key holds when
  any of its policy values matches (OR). A key missing from the request fails a positive operator
  (`StringEquals`, `ArnLike`, `Bool`, ...) and satisfies a negated one (`StringNotEquals`, `ArnNotLike`,
  ...), as the IAM documentation states; `...IfExists` holds when the key is missing;
  `ForAnyValue:` needs one request value to match (false when there is none), `ForAllValues:` needs every
  request value to match (true when there is none); `Null` tests presence.

A statement's name in decisions is its `Sid`, else `<policy name>#<index>`.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from local.template import TemplateError

ContextValue = str | tuple[str, ...]
Context = Mapping[str, ContextValue]
Outcome = Literal["allow", "explicit-deny", "implicit-deny"]


class PolicyError(TemplateError):
    """A policy uses something this evaluator does not know (it would be guessed wrong, so the start stops)."""


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    statement: str | None = None  # Sid or "<policy>#<index>" of the deciding statement

    @property
    def allowed(self) -> bool:
        return self.outcome == "allow"


# ------------------------------------------------------------------------------------------ wildcards
@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case).fullmatch(value) is not None


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def _substitute(pattern: str, context: Context) -> str | None:
    """Policy variables filled in; None when one is missing from the context (the pattern matches nothing)."""
    if "${" not in pattern:
        return pattern
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in _ESCAPES:
            return _ESCAPES[name]
        name, _, default = name.partition(", ")
        value = context.get(name.lower())
        if isinstance(value, str):
            return value
        if default:
            return default.strip("'")
        missing = True
        return ""

    result = _VARIABLE.sub(replace, pattern)
    return None if missing else result


# ------------------------------------------------------------------------------------------ conditions
def _condition_values(value: Any) -> list[str]:
    """A condition's values as strings; JSON booleans as IAM writes them ("true"/"false")."""
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def _arn_match(pattern: str, value: str) -> bool:
    # ArnLike/ArnEquals: each of the six colon-separated parts is matched on its own.
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return False
    return all(glob_match(p, v) for p, v in zip(p_parts, v_parts, strict=True))


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> datetime:
    if text.isdigit():
        return datetime.fromtimestamp(int(text))
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _ip(policy: str, value: str) -> bool:
    return ipaddress.ip_address(value) in ipaddress.ip_network(policy, strict=False)


def _compare(convert: Callable[[str], Any], test: Callable[[Any, Any], bool]) -> Callable[[str, str], bool]:
    def match(policy: str, value: str) -> bool:
        try:
            return test(convert(value), convert(policy))
        except (ValueError, TypeError):
            return False

    return match


# base operator -> (match(policy value, request value), negated)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), True),
    "StringLike": (lambda p, v: glob_match(p, v), False),
    "StringNotLike": (lambda p, v: glob_match(p, v), True),
    "ArnEquals": (_arn_match, False),
    "ArnLike": (_arn_match, False),
    "ArnNotEquals": (_arn_match, True),
    "ArnNotLike": (_arn_match, True),
    "Bool": (lambda p, v: p.lower() == v.lower(), False),
    "BinaryEquals": (lambda p, v: base64.b64decode(p) == base64.b64decode(v), False),
    "NumericEquals": (_compare(_number, lambda v, p: v == p), False),
    "NumericNotEquals": (_compare(_number, lambda v, p: v == p), True),
    "NumericLessThan": (_compare(_number, lambda v, p: v < p), False),
    "NumericLessThanEquals": (_compare(_number, lambda v, p: v <= p), False),
    "NumericGreaterThan": (_compare(_number, lambda v, p: v > p), False),
    "NumericGreaterThanEquals": (_compare(_number, lambda v, p: v >= p), False),
    "DateEquals": (_compare(_date, lambda v, p: v == p), False),
    "DateNotEquals": (_compare(_date, lambda v, p: v == p), True),
    "DateLessThan": (_compare(_date, lambda v, p: v < p), False),
    "DateLessThanEquals": (_compare(_date, lambda v, p: v <= p), False),
    "DateGreaterThan": (_compare(_date, lambda v, p: v > p), False),
    "DateGreaterThanEquals": (_compare(_date, lambda v, p: v >= p), False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
}


@dataclass(frozen=True)
class Condition:
    """One `operator: {key: values}` entry of a Condition block."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str  # lower-cased: condition keys are case-insensitive
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        base = self._base()
        if base != "Null" and base not in _OPERATORS:
            raise PolicyError(f"condition operator {self.operator!r} is not supported by local.iam")
        prefix = self.operator.partition(":")[0] if ":" in self.operator else ""
        if prefix not in ("", "ForAnyValue", "ForAllValues"):
            raise PolicyError(f"condition set operator {prefix!r} is not supported by local.iam")

    def _base(self) -> str:
        base = self.operator.rpartition(":")[2]
        return base.removesuffix("IfExists") if base != "Null" else base

    def holds(self, context: Context) -> bool:
        raw = context.get(self.key)
        present = raw is not None and raw != ()
        request = [raw] if isinstance(raw, str) else list(raw or ())
        base = self._base()
        if base == "Null":  # "true": the key must be absent; "false": present
            return any((v.lower() == "true") != present for v in self.values)
        if self.operator.endswith("IfExists") and not present:
            return True
        match, negated = _OPERATORS[base]

        patterns = [f for p in self.values if (f := _substitute(p, context)) is not None]

        def one(value: str) -> bool:
            hit = any(match(p, value) for p in patterns)
            return not hit if negated else hit

        if self.operator.startswith("ForAllValues:"):
            return all(one(v) for v in request)
        if self.operator.startswith("ForAnyValue:"):
            return any(one(v) for v in request)
        if not present:
            return negated  # a missing key fails a positive operator and satisfies a negated one
        # A single-valued operator on a multi-valued key: negated ones need no value to match.
        return all(one(v) for v in request) if negated else any(one(v) for v in request)


# ------------------------------------------------------------------------------------------ statements
def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


@dataclass(frozen=True)
class Statement:
    name: str
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditions: tuple[Condition, ...]

    @classmethod
    def parse(cls, doc: Mapping[str, Any], name: str) -> Statement:
        effect = doc.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f"{name}: Effect must be Allow or Deny, not {effect!r}")
        if ("Action" in doc) == ("NotAction" in doc):
            raise PolicyError(f"{name}: exactly one of Action / NotAction")
        if ("Resource" in doc) == ("NotResource" in doc):
            raise PolicyError(f"{name}: exactly one of Resource / NotResource (identity policies)")
        conditions = tuple(
            Condition(operator, key.lower(), tuple(_condition_values(values)))
            for operator, block in (doc.get("Condition") or {}).items()
            for key, values in block.items()
        )
        return cls(
            name=str(doc.get("Sid") or name),
            effect=effect,
            actions=_strings(doc.get("Action")),
            not_actions=_strings(doc.get("NotAction")),
            resources=_strings(doc.get("Resource")),
            not_resources=_strings(doc.get("NotResource")),
            conditions=conditions,
        )

    def _action_matches(self, action: str) -> bool:
        if self.not_actions:
            return not any(glob_match(p, action, ignore_case=True) for p in self.not_actions)
        return any(glob_match(p, action, ignore_case=True) for p in self.actions)

    def _resource_matches(self, resource: str, context: Context) -> bool:
        def hit(patterns: tuple[str, ...]) -> bool:
            for pattern in patterns:
                filled = _substitute(pattern, context)
                if filled is not None and glob_match(filled, resource):
                    return True
            return False

        return not hit(self.not_resources) if self.not_resources else hit(self.resources)

    def applies(self, action: str, resource: str, context: Context) -> bool:
        return (
            self._action_matches(action)
            and self._resource_matches(resource, context)
            and all(c.holds(context) for c in self.conditions)
        )


class Policy:
    """All identity-policy statements of one principal (a role's inline, attached and managed policies)."""

    def __init__(self, statements: Iterable[Statement]) -> None:
        self.statements = tuple(statements)

    @classmethod
    def from_documents(cls, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> Policy:
        """`documents`: (policy name, policy document) pairs."""
        statements = []
        for name, document in documents:
            raw = document.get("Statement", [])
            for index, doc in enumerate(raw if isinstance(raw, list) else [raw]):
                statements.append(Statement.parse(doc, f"{name}#{index}"))
        return cls(statements)

    def evaluate(self, action: str, resource: str, context: Context | None = None) -> Verdict:
        ctx = {k.lower(): v for k, v in (context or {}).items()}
        allowed_by: str | None = None
        for statement in self.statements:
            if statement.applies(action, resource, ctx):
                if statement.effect == "Deny":
                    return Verdict("explicit-deny", statement.name)
                allowed_by = allowed_by or statement.name
        return Verdict("allow", allowed_by) if allowed_by else Verdict("implicit-deny")
