"""Lambda emulation: each AWS::Lambda::Function of the template runs in its own worker processes.

Code: the function's CDK asset (`Metadata["aws:asset:path"]`, relative to cdk.out).
Layers: each referenced AWS::Lambda::LayerVersion's asset `python/` dir, except third-party
dependency layers. Rule: a layer whose `python/` dir holds any `*.dist-info` folder was built by pip
(Linux arm64 wheels that cannot load here) and is skipped; its packages come from the local venv,
which is last on the worker's sys.path. A layer given as a plain ARN (no asset) is skipped too.
Environment: only the template's variables (resolved), plus what Lambda itself sets and the local
endpoint/credentials (the role's sts:AssumeRole session credentials when IAM is enforced: local.iam).
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.iam.enforcement import Enforcement
from local.iam.enforcement import enabled as iam_enabled
from local.iam.enforcement import log as iam_log
from local.template import Template, TemplateError

REPO_ROOT = Path(__file__).resolve().parent.parent
INIT_TIMEOUT = 120.0


class InvocationError(Exception):
    """The function failed (unhandled error, timeout, crash) - `payload` is what Lambda reports."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage", "function error"))
        self.payload = payload

    @property
    def timed_out(self) -> bool:
        return self.payload.get("errorType") == "Sandbox.Timedout"


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    handler: str
    code_dir: Path
    layer_dirs: list[Path]
    skipped_layers: list[str]
    environment: dict[str, str]
    timeout: int
    memory: int


def _asset_dir(template: Template, logical_id: str, workdir: Path) -> Path | None:
    meta = template.resources[logical_id].get("Metadata", {}) or {}
    rel = meta.get("aws:asset:path")
    if not rel:
        return None
    base = template.cdk_out or Path(".")
    path = (base / rel).resolve()
    if path.is_file() and path.suffix == ".zip":
        target = workdir / "assets" / path.stem
        if not target.exists():
            with zipfile.ZipFile(path) as zf:
                zf.extractall(target)
        path = target
    if not path.is_dir():
        raise TemplateError(f"{logical_id}: asset {path} not found (synthesize the app first)")
    return path


def is_third_party_layer(python_dir: Path) -> bool:
    """A pip-built layer (has *.dist-info): its Linux arm64 wheels cannot load here."""
    return any(python_dir.glob("*.dist-info"))


def _function_of(template: Template, expr: Any) -> str | None:
    """Logical id of the Lambda function an expression (Ref/GetAtt, alias or version) points to."""
    if isinstance(expr, dict):
        for key, arg in expr.items():
            lid = None
            if key == "Ref" and isinstance(arg, str):
                lid = arg
            elif key == "Fn::GetAtt":
                lid = arg.split(".")[0] if isinstance(arg, str) else arg[0]
            if lid and lid in template.resources:
                rtype = template.rtype(lid)
                if rtype == "AWS::Lambda::Function":
                    return lid
                if rtype in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                    return _function_of(template, template.props(lid).get("FunctionName"))
            found = _function_of(template, arg)
            if found:
                return found
    elif isinstance(expr, list):
        for v in expr:
            found = _function_of(template, v)
            if found:
                return found
    elif isinstance(expr, str):
        for lid in template.of_type("AWS::Lambda::Function"):
            if expr == template.physical_name(lid) or expr.endswith(f":function:{template.physical_name(lid)}"):
                return lid
    return None


def function_of(template: Template, expr: Any) -> str:
    lid = _function_of(template, expr)
    if lid is None:
        raise TemplateError(f"cannot find the Lambda function referenced by {expr!r}")
    return lid


def function_specs(template: Template, workdir: Path, endpoint: str) -> dict[str, FunctionSpec]:
    specs: dict[str, FunctionSpec] = {}
    for lid in template.of_type("AWS::Lambda::Function"):
        props = template.props(lid)
        code_dir = _asset_dir(template, lid, workdir)
        if code_dir is None:
            raise TemplateError(f"{lid}: no aws:asset:path metadata (inline or S3 code is not supported locally)")
        layer_dirs, skipped = [], []
        for layer in props.get("Layers", []):
            layer_lid = layer.get("Ref") if isinstance(layer, dict) else None
            asset = _asset_dir(template, layer_lid, workdir) if layer_lid in template.resources else None
            python_dir = asset / "python" if asset else None
            if python_dir is None or not python_dir.is_dir() or is_third_party_layer(python_dir):
                skipped.append(layer_lid or str(layer))
            else:
                layer_dirs.append(python_dir)
        name = template.physical_name(lid)
        variables = template.resolve(props.get("Environment", {}).get("Variables", {}))
        env = {k: template.localize(str(v)) for k, v in variables.items()}
        specs[lid] = FunctionSpec(
            logical_id=lid,
            name=name,
            arn=template.arn("lambda", f"function:{name}"),
            handler=template.resolve(props["Handler"]),
            code_dir=code_dir,
            layer_dirs=layer_dirs,
            skipped_layers=skipped,
            environment=env,
            timeout=int(template.resolve(props.get("Timeout", 3))),
            memory=int(template.resolve(props.get("MemorySize", 128))),
        )
    return specs


def worker_environment(spec: FunctionSpec, endpoint: str, region: str) -> dict[str, str]:
    env = {
        # The template's variables, as Lambda sets them ...
        **spec.environment,
        # ... what the Lambda runtime sets ...
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # ... and the local endpoint with fake credentials (nothing reaches real AWS).
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        # Local only: partner URLs on 127.0.0.1 (the sample CCF system) pass sat_common.url_safety. The CDK
        # app never sets it (tests/infra/test_share_infra.py); see docs/local-runtime.md.
        "ALLOW_LOOPBACK_URLS": "true",
        # No X-Ray daemon locally.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_XRAY_SDK_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Only to find local.lambda_host; the host removes it from sys.path before importing the handler.
        "PYTHONPATH": str(REPO_ROOT),
        "_LOCAL_LAYER_PATHS": os.pathsep.join(str(p) for p in spec.layer_dirs),
    }
    return env


class Worker:
    """One worker process (one Lambda execution environment)."""

    _ids = itertools.count(1)

    def __init__(self, spec: FunctionSpec, env: dict[str, str], log_prefix: str) -> None:
        self.spec = spec
        self.env = env
        self.log_prefix = log_prefix
        self.proc: subprocess.Popen[str] | None = None
        self.init_error: dict[str, Any] | None = None
        self._ready = threading.Event()
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()

    def start(self) -> None:
        self._ready.clear()
        self.init_error = None
        self._replies = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "local.lambda_host"],
            cwd=str(REPO_ROOT),
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read_stdout, args=(self.proc, self._replies), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(self.proc,), daemon=True).start()

    def _read_stdout(self, proc: subprocess.Popen[str], replies: queue.Queue[dict[str, Any] | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            msg = json.loads(line)
            if msg.get("type") == "ready":
                self._ready.set()
            elif msg.get("type") == "init_error":
                self.init_error = msg["error"]
                sys.stderr.write(
                    f"{self.log_prefix} INIT ERROR {msg['error'].get('errorType')}: "
                    f"{msg['error'].get('errorMessage')}\n"
                )
                self._ready.set()
            else:
                replies.put(msg)
        replies.put(None)  # process ended
        self._ready.set()

    def _read_stderr(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            sys.stderr.write(f"{self.log_prefix} {line}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def invoke(self, event: Any, request_id: str, timeout: float) -> Any:
        if not self.alive():
            self.start()
        # The init phase is not part of the invocation's timeout (as in Lambda); on a loaded machine
        # importing a handler can take many times the usual second, so its bound is generous.
        if not self.wait_ready(INIT_TIMEOUT):
            self.stop()
            raise InvocationError(
                {"errorMessage": f"init did not finish within {INIT_TIMEOUT:.0f} s", "errorType": "Runtime.InitError"}
            )
        assert self.proc is not None and self.proc.stdin is not None
        call_id = uuid.uuid4().hex
        deadline_ms = int((time.time() + timeout) * 1000)
        message = {
            "id": call_id,
            "event": event,
            "context": {
                "aws_request_id": request_id,
                "deadline_ms": deadline_ms,
                "invoked_function_arn": self.spec.arn,
            },
        }
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.stop()
            raise InvocationError({"errorMessage": "worker process died", "errorType": "Runtime.ExitError"}) from None
        try:
            reply = self._replies.get(timeout=timeout)
        except queue.Empty:
            self.stop()  # Lambda discards the environment after a timeout
            raise InvocationError(
                {"errorMessage": f"Task timed out after {timeout:.2f} seconds", "errorType": "Sandbox.Timedout"}
            ) from None
        if reply is None:
            self.stop()
            raise InvocationError(
                {"errorMessage": "Runtime exited without providing a reason", "errorType": "Runtime.ExitError"}
            )
        if reply.get("ok"):
            return reply.get("result")
        raise InvocationError(reply.get("error", {}))

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.terminate()
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class FunctionPool:
    """A small pool of worker processes per function, so concurrent requests do not serialize."""

    spec: FunctionSpec
    env: dict[str, str]
    size: int = 2
    timeout_factor: float = 1.0
    workers: list[Worker] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._idle: queue.Queue[Worker] = queue.Queue()
        for i in range(self.size):
            w = Worker(self.spec, self.env, f"[{self.spec.logical_id}#{i + 1}]")
            self.workers.append(w)
            self._idle.put(w)

    def start(self) -> None:
        for w in self.workers:
            w.start()

    def wait_ready(self, timeout: float) -> list[str]:
        deadline = time.time() + timeout
        errors = []
        for w in self.workers:
            w.wait_ready(max(0.0, deadline - time.time()))
            if w.init_error:
                errors.append(f"{w.init_error.get('errorType')}: {w.init_error.get('errorMessage')}")
        return errors

    def invoke(self, event: Any, request_id: str | None = None) -> Any:
        worker = self._idle.get()  # waits while every environment is busy
        try:
            timeout = float(self.spec.timeout) * self.timeout_factor
            return worker.invoke(event, request_id or str(uuid.uuid4()), timeout)
        finally:
            self._idle.put(worker)

    def stop(self) -> None:
        for w in self.workers:
            w.stop()


class Lambdas:
    """All functions of the template, by logical id."""

    def __init__(
        self,
        template: Template,
        workdir: Path,
        endpoint: str,
        pool_size: int = 2,
        timeout_factor: float = 1.0,
        iam: bool | None = None,
    ) -> None:
        """`iam`: check each function's calls against its own role (default: on unless LOCAL_IAM=off)."""
        self.template = template
        self.specs = function_specs(template, workdir, endpoint)
        self.iam: Enforcement | None = None
        if iam_enabled(iam):
            self.iam = Enforcement(template, workdir, endpoint, {lid: s.name for lid, s in self.specs.items()})
            iam_log(self.iam.describe())
        self.pools = {
            lid: FunctionPool(
                spec,
                {
                    **worker_environment(spec, endpoint, template.region),
                    **(self.iam.worker_environment(lid) if self.iam else {}),
                },
                size=pool_size,
                timeout_factor=timeout_factor,
            )
            for lid, spec in self.specs.items()
        }

    def start(self, timeout: float = 15.0) -> dict[str, list[str]]:
        for pool in self.pools.values():
            pool.start()
        return {lid: errs for lid, pool in self.pools.items() if (errs := pool.wait_ready(timeout))}

    def invoke(self, logical_id: str, event: Any, request_id: str | None = None) -> Any:
        return self.pools[logical_id].invoke(event, request_id)

    def stop(self) -> None:
        workers = [w for pool in self.pools.values() for w in pool.workers]
        threads = [threading.Thread(target=w.stop) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.iam is not None:  # every worker has written its decisions now
            iam_log(self.iam.summary())
