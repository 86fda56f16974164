"""The e-mails SES "sent" in moto, readable: `GET /_local/mailbox` and `python -m local.mailbox`.

moto's SES backend keeps sent mail (`Message`, `TemplateMessage`, `RawMessage`) in the process that
runs moto: the local runtime serves it at `/_local/mailbox`. For templated mail moto stores only the
template name and the data, so the stored template is rendered here with a Handlebars subset:
`{{var}}`, `{{a.b}}`, `{{{raw}}}`, `{{#if x}}...{{else}}...{{/if}}`, `{{#unless x}}`, `{{#each list}}`
(with `{{this}}`). HTML parts escape `{{var}}` values, as SES does.
"""

from __future__ import annotations

import argparse
import email
import html
import json
import re
import sys
from email import policy
from pathlib import Path
from typing import Any

import httpx

_TOKEN = re.compile(r"\{\{\{\s*([^}]+?)\s*\}\}\}|\{\{\s*([#/]?)([^}]*?)\s*\}\}")


def _lookup(ctx: list[Any], name: str) -> Any:
    if name in ("this", "."):
        return ctx[-1]
    for scope in reversed(ctx):
        value: Any = scope
        ok = True
        for part in name.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                ok = False
                break
        if ok:
            return value
    return None


def _parse(tokens: list[tuple[str, ...]], pos: int, end_tag: str | None) -> tuple[list[Any], int]:
    nodes: list[Any] = []
    while pos < len(tokens):
        tok = tokens[pos]
        if tok[0] == "text" or tok[0] in ("var", "raw"):
            nodes.append(tok)
            pos += 1
        elif tok[0] == "open":
            body, pos = _parse(tokens, pos + 1, tok[1])
            yes, no = body, []
            if "__else__" in body:
                idx = body.index("__else__")
                yes, no = body[:idx], body[idx + 1 :]
            nodes.append(("block", tok[1], tok[2], yes, no))
        elif tok[0] == "else":
            nodes.append("__else__")
            pos += 1
        elif tok[0] == "close":
            return nodes, pos + 1
    return nodes, pos


def render(template: str | None, data: dict[str, Any], escape: bool = False) -> str | None:
    """Render a Handlebars subset (what SES templates commonly use)."""
    if template is None:
        return None
    tokens: list[tuple[str, ...]] = []
    last = 0
    for m in _TOKEN.finditer(template):
        tokens.append(("text", template[last : m.start()]))
        last = m.end()
        if m.group(1) is not None:
            tokens.append(("raw", m.group(1).strip()))
        elif m.group(2) == "#":
            helper, _, arg = m.group(3).partition(" ")
            tokens.append(("open", helper, arg.strip()))
        elif m.group(2) == "/":
            tokens.append(("close", m.group(3).strip()))
        elif m.group(3).strip() == "else":
            tokens.append(("else",))
        else:
            tokens.append(("var", m.group(3).strip()))
    tokens.append(("text", template[last:]))
    tree, _ = _parse(tokens, 0, None)

    def emit(nodes: list[Any], ctx: list[Any]) -> str:
        out = []
        for node in nodes:
            if node[0] == "text":
                out.append(node[1])
            elif node[0] in ("var", "raw"):
                value = _lookup(ctx, node[1])
                text = "" if value is None else str(value)
                out.append(html.escape(text) if escape and node[0] == "var" else text)
            elif node[0] == "block":
                _, helper, arg, yes, no = node
                value = _lookup(ctx, arg)
                if helper == "if":
                    out.append(emit(yes if value else no, ctx))
                elif helper == "unless":
                    out.append(emit(no if value else yes, ctx))
                elif helper == "each":
                    items = value.values() if isinstance(value, dict) else (value or [])
                    out.append("".join(emit(yes, [*ctx, item]) for item in items) if items else emit(no, ctx))
                elif helper == "with":
                    out.append(emit(yes, [*ctx, value]) if value else emit(no, ctx))
        return "".join(out)

    return emit(tree, [data])


def read_mailbox(region: str = "us-east-1", to: str | None = None) -> list[dict[str, Any]]:
    """Every e-mail SES accepted in this process's moto, oldest first, with templated mail rendered.

    Reads the SES backend itself (the local runtime runs moto in its own process): moto's
    `/moto-api/data.json` serializes every model of every service and grows slow with the state.
    """
    from moto.ses.models import RawMessage, TemplateMessage, ses_backends

    mails: list[dict[str, Any]] = []
    for account_id in list(ses_backends.keys()):
        if region not in ses_backends[account_id]:
            continue
        backend = ses_backends[account_id][region]
        for m in list(backend.sent_messages):
            if isinstance(m, TemplateMessage):
                mails.append(_templated(m, backend.templates.get(m.template)))
            elif isinstance(m, RawMessage):
                mails.append(_raw(m))
            elif hasattr(m, "subject"):
                mails.append(
                    {
                        "id": m.id,
                        "kind": "simple",
                        "from": m.source,
                        "to": (m.destinations or {}).get("ToAddresses", []),
                        "cc": (m.destinations or {}).get("CcAddresses", []),
                        "subject": m.subject,
                        "text": m.body,
                        "html": None,
                    }
                )
    if to:
        mails = [mail for mail in mails if to.lower() in [a.lower() for a in mail["to"] or []]]
    return mails


def _templated(m: Any, tpl: dict[str, str] | None) -> dict[str, Any]:
    try:
        values = json.loads(m.template_data or "{}")
    except ValueError:
        values = {}
    return {
        "id": m.id,
        "kind": "templated",
        "from": m.source,
        "to": (m.destinations or {}).get("ToAddresses", []),
        "cc": (m.destinations or {}).get("CcAddresses", []),
        "template": m.template,
        "data": values,
        "subject": render(tpl.get("subject_part"), values) if tpl else None,
        "text": render(tpl.get("text_part"), values) if tpl else None,
        "html": render(tpl.get("html_part"), values, escape=True) if tpl else None,
    }


def _raw(m: Any) -> dict[str, Any]:
    msg = email.message_from_string(m.raw_data or "", policy=policy.default)
    text_part = msg.get_body(("plain",)) if msg.is_multipart() or msg.get_content_type() == "text/plain" else None
    html_part = msg.get_body(("html",)) if msg.is_multipart() or msg.get_content_type() == "text/html" else None
    return {
        "id": m.id,
        "kind": "raw",
        "from": m.source or msg.get("From"),
        "to": m.destinations or [msg.get("To")],
        "cc": [],
        "subject": msg.get("Subject"),
        "text": text_part.get_content() if text_part else None,
        "html": html_part.get_content() if html_part else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.mailbox", description="Print the e-mails sent locally.")
    parser.add_argument("--workdir", default=".local-runtime", help="the runtime's workdir (reads ready.json)")
    parser.add_argument("--api-url", help="the local runtime's API URL (default: from ready.json)")
    parser.add_argument("--to", help="only mail to this address")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    api_url = args.api_url
    if not api_url:
        ready = Path(args.workdir) / "ready.json"
        if not ready.exists():
            print(f"the local runtime is not running ({ready} not found); start it with `make local`", file=sys.stderr)
            return 1
        api_url = json.loads(ready.read_text())["api_url"]
    try:
        params = {"to": args.to} if args.to else {}
        answer = httpx.get(f"{api_url}/_local/mailbox", params=params, timeout=30)
        answer.raise_for_status()
        mails = answer.json()
    except httpx.HTTPError as exc:
        print(f"cannot read the mailbox at {api_url}/_local/mailbox: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(mails, indent=2, ensure_ascii=False))
        return 0
    if not mails:
        print("(no mail)")
    for n, mail in enumerate(mails, 1):
        print(f"--- #{n} {mail['kind']} {('template ' + mail['template']) if mail.get('template') else ''}")
        print(f"From:    {mail['from']}")
        print(f"To:      {', '.join(mail['to'] or [])}")
        print(f"Subject: {mail['subject']}")
        print()
        print(mail["text"] or re.sub(r"<[^>]+>", "", mail["html"] or ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
