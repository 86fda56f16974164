"""The local runtime: moto server + resources provisioned from the synthesized template + API Gateway,
Lambda, Cognito authorizer and SQS event source mapping emulation + mailbox + seed data.

Run it with `python -m local` (see `python -m local --help` and docs/local-runtime.md).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from local.apigw import ApiGateway, Response, rest_apis, serve
from local.authorizer import CognitoAuthorizer
from local.esm import Poller, mappings_from_template
from local.lambdas import Lambdas
from local.mailbox import read_mailbox
from local.moto_server import MotoServer
from local.provision import Provisioner
from local.seed_loader import (
    create_ministry_users,
    enrol_ministry_totp,
    generate_password,
    load_reference_items,
    load_services,
    read_seed,
)
from local.template import Template, TemplateError
from local.testing import port_free
from local.waf import WebAcl

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MOTO_PORT = 5010
DEFAULT_API_PORT = 3000
DEFAULT_PORTAL_PORT = 8000  # cdk.json portalBaseUrl


@dataclass
class Options:
    stage: str = "dev"
    template: Path | None = None
    host: str = "127.0.0.1"
    moto_port: int = DEFAULT_MOTO_PORT
    api_port: int = DEFAULT_API_PORT
    portal_port: int = DEFAULT_PORTAL_PORT
    workdir: Path = REPO_ROOT / ".local-runtime"
    region: str | None = None
    pool_size: int = 2
    timeout_factor: float = 1.0
    sqs_backoff: int = 1
    seed: bool = True
    waf: bool = True
    access_log: bool = True
    synth: bool = False
    iam: bool = True  # check each function's AWS calls against its own role (local.iam)

    @property
    def template_path(self) -> Path:
        return self.template or REPO_ROOT / "cdk.out" / f"SatCcf-{self.stage}.template.json"


def _default_stage() -> str:
    try:
        return json.loads((REPO_ROOT / "cdk.json").read_text())["context"]["stage"]
    except (OSError, KeyError, ValueError):
        return "dev"


def _template_region(template_path: Path) -> str | None:
    """The stack's region from cdk.out/manifest.json when the stack is bound to one."""
    try:
        manifest = json.loads((template_path.parent / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    for artifact in manifest.get("artifacts", {}).values():
        props = artifact.get("properties", {})
        if props.get("templateFile") == template_path.name:
            region = artifact.get("environment", "").rsplit("/", 1)[-1]
            return None if region in ("", "unknown-region") else region
    return None


def portal_rest_api(template: Template) -> str | None:
    """The portal's RestApi (its name ends in "-portal", infra/components/portal.py), served on --portal-port."""
    for lid in rest_apis(template):
        if str(template.resolve(template.props(lid).get("Name", ""))).endswith("-portal"):
            return lid
    return None


def _json_response(value: Any, status: int = 200) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps(value, ensure_ascii=False).encode())


@dataclass
class LocalRuntime:
    options: Options
    moto: Any = None
    lambdas: Lambdas | None = None
    server: Any = None
    portal_server: Any = None
    pollers: list[Poller] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def log(self, message: str) -> None:
        print(f"[local] {message}", flush=True)

    def start(self) -> dict[str, Any]:
        started = time.time()
        o = self.options
        o.workdir.mkdir(parents=True, exist_ok=True)
        ready_file = o.workdir / "ready.json"
        ready_file.unlink(missing_ok=True)
        if o.synth or not o.template_path.exists():
            self.log(f"synthesizing {o.template_path.name} (python infra/app.py)")
            subprocess.run([sys.executable, "infra/app.py"], cwd=REPO_ROOT, check=True)
        if not o.template_path.exists():
            raise TemplateError(f"{o.template_path} not found after synth")
        region = o.region or _template_region(o.template_path) or "us-east-1"
        for port in (o.moto_port, o.api_port, o.portal_port):
            if not port_free(port, o.host):
                raise OSError(
                    f"port {port} on {o.host} is in use "
                    "(another local runtime? use --moto-port/--api-port/--portal-port)"
                )

        moto_url = f"http://{o.host}:{o.moto_port}"
        api_url = f"http://{o.host}:{o.api_port}"
        portal_url = f"http://{o.host}:{o.portal_port}"
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": moto_url,
                "AWS_ACCESS_KEY_ID": "test",
                "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": region,
                "AWS_REGION": region,
            }
        )
        os.environ.pop("AWS_PROFILE", None)

        # 1. moto
        self.moto = MotoServer(o.host, o.moto_port)
        self.moto.start()
        self.moto.wait_until_up()  # always from an empty account

        # 2. resources
        template = Template.load(o.template_path, region=region)
        template.api_url = api_url  # the functions' PUBLIC_API_BASE_URL points here (Template.localize)
        portal_api = portal_rest_api(template)
        if portal_api:
            template.local_urls[portal_api] = portal_url
            # the functions' PORTAL_BASE_URL (e-mail links, S3's redirect) names this portal, on whatever port
            configured_portal = template.output("PortalBaseUrl")
            if isinstance(configured_portal, str) and configured_portal.startswith(("http://", "https://")):
                template.url_aliases[configured_portal] = portal_url
        other_apis = [lid for lid in rest_apis(template) if lid != portal_api]
        api_rest_api = other_apis[0] if len(other_apis) == 1 else None
        provisioner = Provisioner(template, moto_url)
        provisioner.run()
        self.log(f"provisioned {len(provisioner.created)} resources in moto:")
        for rtype, lid, physical in provisioner.created:
            self.log(f"  {rtype:32} {lid} -> {physical}")
        skipped_types: dict[str, int] = {}
        for rtype, _ in provisioner.skipped:
            skipped_types[rtype] = skipped_types.get(rtype, 0) + 1
        self.log("emulated or skipped: " + ", ".join(f"{t} x{n}" for t, n in sorted(skipped_types.items())))

        # 3. functions (worker processes start in the background while the rest is set up)
        self.lambdas = Lambdas(
            template, o.workdir, moto_url, pool_size=o.pool_size, timeout_factor=o.timeout_factor, iam=o.iam
        )
        for spec in self.lambdas.specs.values():
            layers = (
                ", ".join(
                    str(p.relative_to(template.cdk_out.resolve()) if template.cdk_out else p) for p in spec.layer_dirs
                )
                or "none"
            )
            self.log(
                f"function {spec.logical_id}: {spec.handler} (layers: {layers}; "
                f"skipped third-party layers: {', '.join(spec.skipped_layers) or 'none'})"
            )
        for pool in self.lambdas.pools.values():
            pool.start()

        # 4. seed data and the Ministry user
        login = self._seed(template, moto_url, region) if o.seed else {}

        # 5. API Gateway + authorizers
        authorizers = {}
        for lid, res in template.of_type("AWS::ApiGateway::Authorizer").items():
            props = template.resolve(res.get("Properties", {}))
            if props.get("Type") == "COGNITO_USER_POOLS":
                pools = [str(arn).rsplit("/", 1)[-1] for arn in props.get("ProviderARNs", [])]
                authorizers[lid] = CognitoAuthorizer(moto_url, region, pools)
        # Each RestApi on its own port, behind the web ACL associated with its stage; one ACL's rate counts are
        # shared by every stage it is associated with, as in AWS.
        acls: dict[str, WebAcl] = {}

        secrets = boto3.client("secretsmanager", endpoint_url=moto_url, region_name=region)

        def secret_value(secret_id: str) -> str:  # the dynamic references CloudFormation resolves (decision 0087)
            return str(secrets.get_secret_value(SecretId=secret_id)["SecretString"])

        def web_acl(rest_api: str | None) -> WebAcl | None:
            acl = WebAcl.from_template(template, rest_api, secret_value) if o.waf else None
            return acls.setdefault(acl.name, acl) if acl is not None else None

        gateway = ApiGateway(
            template,
            self.lambdas.invoke,
            authorizers,
            waf=web_acl(api_rest_api),
            local_routes={
                "/_local/mailbox": lambda q: _json_response(read_mailbox(region, q.get("to"))),
                "/_local/info": lambda q: _json_response(self.info),
            },
            rest_api=api_rest_api,
        )
        self.server = serve(gateway, o.host, o.api_port, access_log=o.access_log)
        if portal_api:
            portal = ApiGateway(template, self.lambdas.invoke, {}, waf=web_acl(portal_api), rest_api=portal_api)
            self.portal_server = serve(portal, o.host, o.portal_port, access_log=o.access_log)

        # 6. SQS event source mappings
        for mapping in mappings_from_template(template):
            if mapping.enabled:
                poller = Poller(
                    mapping, self.lambdas.invoke, moto_url, region, backoff=o.sqs_backoff, iam=self.lambdas.iam
                )
                poller.start()
                self.pollers.append(poller)

        errors = {lid: errs for lid, pool in self.lambdas.pools.items() if (errs := pool.wait_ready(15.0))}
        for lid, errs in errors.items():
            self.log(f"WARNING function {lid} failed to initialize: {errs[0]}")

        elapsed = time.time() - started
        self.info = {
            "api_url": api_url,
            "portal_url": portal_url if portal_api else None,
            "moto_url": moto_url,
            "mailbox_url": f"{api_url}/_local/mailbox",
            "region": region,
            "stage": o.stage,
            "stack": template.stack_name,
            "pid": os.getpid(),
            "template": str(o.template_path),
            "ready_seconds": round(elapsed, 2),
            "routes": [f"{m} {p}" for m, p in gateway.routes.routes()],
            "functions": {lid: s.name for lid, s in self.lambdas.specs.items()},
            "queues": {lid: template.ref(lid) for lid in template.of_type("AWS::SQS::Queue")},
            "user_pools": {lid: template.ref(lid) for lid in template.of_type("AWS::Cognito::UserPool")},
            "user_pool_clients": {lid: template.ref(lid) for lid in template.of_type("AWS::Cognito::UserPoolClient")},
            "tables": {
                lid: template.ref(lid) for lid in template.of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
            },
            "ministry_login": login,
            # web ACL rules the runtime does not apply (CAPTCHA / Challenge: a browser puzzle), by web ACL
            "waf_not_emulated": {name: acl.skipped for name, acl in acls.items() if acl.skipped},
        }
        tmp = ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.info, indent=2))
        tmp.replace(ready_file)
        self._banner()
        return self.info

    def _seed(self, template: Template, moto_url: str, region: str) -> dict[str, Any]:
        doc = read_seed()
        if doc is None:
            self.log("WARNING local/seed/reference-data.json not found; no seed data loaded")
            return {}
        envs = [spec.environment for spec in self.lambdas.specs.values()] if self.lambdas else []
        table = next((e["REFERENCE_TABLE_NAME"] for e in envs if e.get("REFERENCE_TABLE_NAME")), None)
        if table is None:
            tables = [
                lid
                for lid in template.of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
                if "reference" in lid.lower()
            ]
            table = template.ref(tables[0]) if tables else None
        if table:
            layer_dirs = [d for spec in self.lambdas.specs.values() for d in spec.layer_dirs] if self.lambdas else []
            count = load_reference_items(moto_url, region, table, doc, layer_dirs)
            self.log(f"seeded {count} reference items into {table}")
        else:
            self.log("WARNING no reference table (REFERENCE_TABLE_NAME) in the template; reference data not loaded")
        main_table = next((e["MAIN_TABLE_NAME"] for e in envs if e.get("MAIN_TABLE_NAME")), None)
        if main_table:  # the Ministry's three services (local/seed/services.json)
            self.log(f"seeded services {', '.join(load_services(moto_url, region, main_table))} into {main_table}")
        pool_id = next((e["PEOPLE_USER_POOL_ID"] for e in envs if e.get("PEOPLE_USER_POOL_ID")), None)
        if pool_id is None:
            pools = [lid for lid in template.of_type("AWS::Cognito::UserPool") if "people" in lid.lower()]
            pool_id = template.ref(pools[0]) if pools else None
        client_id = next((e["PEOPLE_USER_POOL_CLIENT_ID"] for e in envs if e.get("PEOPLE_USER_POOL_CLIENT_ID")), None)
        if client_id is None:
            for lid in template.of_type("AWS::Cognito::UserPoolClient"):
                if template.resolve(template.props(lid).get("UserPoolId")) == pool_id:
                    client_id = template.ref(lid)
                    break
        users = doc.get("ministryUsers", [])
        if not pool_id or not users:
            self.log("WARNING no people user pool or no ministryUsers; Ministry user not created")
            return {}
        password = os.environ.get("LOCAL_MINISTRY_PASSWORD") or generate_password()
        names = create_ministry_users(moto_url, region, pool_id, users, password)
        login: dict[str, Any] = {
            "usernames": names,
            "password": password,
            "user_pool_id": pool_id,
            "client_id": client_id,
        }
        # usernames[0] is the administrator; `operators` says each one's groups (decision 0090).
        operators: list[dict[str, Any]] = [
            {"username": name, "groups": user.get("groups", ["ministerio"])}
            for name, user in zip(names, users, strict=True)
        ]
        login["operators"] = operators
        # Ministry operators sign in with TOTP (decision 0029): the seed enrols them.
        mfa_key = next((e["MFA_KEY_ID"] for e in envs if e.get("MFA_KEY_ID")), None)
        if main_table and mfa_key:
            secret = os.environ.get("LOCAL_MINISTRY_TOTP_SECRET") or None
            login["totp_secret"] = enrol_ministry_totp(moto_url, region, main_table, mfa_key, names[:1], secret)
            operators[0]["totp_secret"] = login["totp_secret"]
            for operator in operators[1:]:  # a secret of their own: each step is good once per person
                operator["totp_secret"] = enrol_ministry_totp(
                    moto_url, region, main_table, mfa_key, [operator["username"]]
                )
        else:
            self.log("WARNING no MFA_KEY_ID or MAIN_TABLE_NAME; the Ministry user has no TOTP and cannot use /admin")
        return login

    def _banner(self) -> None:
        i = self.info
        lines = [
            "",
            f"Local runtime ready in {i['ready_seconds']} s (stack {i['stack']}, region {i['region']})",
            f"  API:     {i['api_url']}   (try {i['api_url']}/health, {i['api_url']}/docs)",
            f"  portal:  {i['portal_url'] or '(none in this template)'}   (the pages people use; docs/portal.md)",
            f"  moto:    {i['moto_url']}   (AWS_ENDPOINT_URL for the AWS CLI/boto3, fake credentials)",
            f"  mailbox: {i['mailbox_url']}   (or: python -m local.mailbox)",
            f"  routes:  {', '.join(i['routes'])}",
            *(
                f"  WAF {name}: not applied locally: {', '.join(rules)} (docs/local-runtime.md)"
                for name, rules in (i.get("waf_not_emulated") or {}).items()
            ),
        ]
        login = i.get("ministry_login") or {}
        if login:
            document_type, document_number = login["usernames"][0].split("-", 1)
            body = json.dumps(
                {"documentType": document_type, "documentNumber": document_number, "password": login["password"]}
            )
            lines += [
                f"  Ministry administrator: {login['usernames'][0]}  password: {login['password']}",
                f"    TOTP secret: {login.get('totp_secret', '(none)')}  (add it to an authenticator app, or "
                f"python -c \"import pyotp; print(pyotp.TOTP('{login.get('totp_secret', '')}').now())\")",
                f"    sign in through the API: POST {i['api_url']}/sessions {body} "
                "-> {challenge, session}; POST /sessions/mfa {session, code} -> idToken,",
                "    then send the idToken as the Authorization header (Bearer).",
                "  Ministry operators of the other groups (same password; decision 0090):",
                *(
                    f"    {o['username']} ({', '.join(o['groups'])}), TOTP secret {o.get('totp_secret', '(none)')}"
                    for o in login.get("operators", [])[1:]
                ),
            ]
        lines.append("Ctrl-C stops everything.")
        print("\n".join(lines), flush=True)

    def stop(self) -> None:
        started = time.time()
        for poller in self.pollers:
            poller.request_stop()
        for poller in self.pollers:
            poller.stop()
        for server in (self.server, self.portal_server):
            if server is not None:
                server.shutdown()
                server.server_close()
        if self.lambdas is not None:
            self.lambdas.stop()
        if self.moto is not None:
            self.moto.stop()
        (self.options.workdir / "ready.json").unlink(missing_ok=True)
        self.log(f"stopped in {time.time() - started:.1f} s")


def parse_args(argv: list[str] | None = None) -> Options:
    p = argparse.ArgumentParser(prog="python -m local", description="Run the synthesized stack locally on moto.")
    p.add_argument("--stage", default=None, help="stage (default: cdk.json context 'stage', else dev)")
    p.add_argument("--template", type=Path, help="template path (default cdk.out/SatCcf-<stage>.template.json)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--moto-port", type=int, default=int(os.environ.get("LOCAL_MOTO_PORT", DEFAULT_MOTO_PORT)))
    p.add_argument("--api-port", type=int, default=int(os.environ.get("LOCAL_API_PORT", DEFAULT_API_PORT)))
    p.add_argument(
        "--portal-port",
        type=int,
        default=int(os.environ.get("LOCAL_PORTAL_PORT", DEFAULT_PORTAL_PORT)),
        help="port of the portal's pages (default 8000, as cdk.json portalBaseUrl; also LOCAL_PORTAL_PORT)",
    )
    p.add_argument("--workdir", type=Path, default=REPO_ROOT / ".local-runtime")
    p.add_argument("--region", help="region (default: the stack's, else us-east-1)")
    p.add_argument("--pool-size", type=int, default=2, help="worker processes per function (default 2)")
    p.add_argument(
        "--timeout-factor",
        type=float,
        default=float(os.environ.get("LOCAL_TIMEOUT_FACTOR", "1")),
        help="multiply every function's timeout (default 1: the template's; the test suite gives a loaded machine 10)",
    )
    p.add_argument(
        "--sqs-backoff",
        type=int,
        default=1,
        help="visibility timeout (s) given to failed SQS messages before a retry (default 1)",
    )
    p.add_argument(
        "--no-waf", dest="waf", action="store_false", help="do not apply the template's WAF web ACL (on by default)"
    )
    p.add_argument("--no-seed", dest="seed", action="store_false", help="do not load seed data / Ministry user")
    p.add_argument("--quiet", dest="access_log", action="store_false", help="no API access log")
    p.add_argument("--synth", action="store_true", help="synthesize the app first (python infra/app.py)")
    p.add_argument(
        "--no-iam",
        dest="iam",
        action="store_false",
        default=os.environ.get("LOCAL_IAM", "on").strip().lower() not in ("off", "0", "false", "no"),
        help="do not check the functions' AWS calls against their roles (also LOCAL_IAM=off)",
    )
    a = p.parse_args(argv)
    return Options(
        stage=a.stage or _default_stage(),
        template=a.template,
        host=a.host,
        moto_port=a.moto_port,
        api_port=a.api_port,
        portal_port=a.portal_port,
        workdir=a.workdir.resolve(),
        region=a.region,
        pool_size=a.pool_size,
        timeout_factor=a.timeout_factor,
        sqs_backoff=a.sqs_backoff,
        seed=a.seed,
        waf=a.waf,
        access_log=a.access_log,
        synth=a.synth,
        iam=a.iam,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    runtime = LocalRuntime(options)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        runtime.start()
        while not stop.is_set():
            stop.wait(0.5)
        print("\n[local] stopping...", flush=True)
        return 0
    except (TemplateError, OSError, subprocess.CalledProcessError) as exc:
        print(f"[local] ERROR: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        runtime.stop()
        print("[local] stopped", flush=True)
