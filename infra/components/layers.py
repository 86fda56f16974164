"""The two Lambda layers: third-party dependencies (built offline with pip) and the common code.

The dependency layer is built once per content of requirements/runtime.txt into
build/layer-deps/<sha>/python with `pip install --platform manylinux2014_aarch64 ...` (no Docker)
and reused by every later synth; see docs/decisions/0004-dependency-layer-offline.md. The shipped copy also
holds bytecode (build/layer-deps/<sha>-pyc<N>, decision 0116).
"""

from __future__ import annotations

import compileall
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from aws_cdk import AssetHashType, IgnoreMode
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import REPO_ROOT, StageConfig

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
REQUIREMENTS = REPO_ROOT / "requirements" / "runtime.txt"
LAYER_BUILD_ROOT = REPO_ROOT / "build" / "layer-deps"
COMMON_LAYER_DIR = REPO_ROOT / "layers" / "common"
PIP_TARGET_ARGS = (
    "--platform",
    "manylinux2014_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    "3.13",
    "--only-binary=:all:",
)
# Provided by the Lambda Python runtime; they come in as dependencies of aws-xray-sdk.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
_RECIPE_VERSION = "1"  # bump when the build recipe below changes
_BYTECODE_VERSION = "1"  # bump when compiled_dependency_layer changes


def requirements_sha(path: Path = REQUIREMENTS) -> str:
    digest = hashlib.sha256(path.read_bytes())
    digest.update(" ".join((_RECIPE_VERSION, *PIP_TARGET_ARGS, *RUNTIME_PROVIDED)).encode())
    return digest.hexdigest()[:24]


def build_dependency_layer(requirements: Path = REQUIREMENTS) -> tuple[Path, str]:
    """Return (layer dir, sha); builds build/layer-deps/<sha>/python/ unless already there."""
    sha = requirements_sha(requirements)
    out = LAYER_BUILD_ROOT / sha
    if (out / "python").is_dir():
        return out, sha
    LAYER_BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{sha}-", dir=LAYER_BUILD_ROOT))
    try:
        subprocess.run(  # noqa: S603 - fixed argv (this interpreter, pip), no shell
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",
                "--target",
                str(tmp / "python"),
                *PIP_TARGET_ARGS,
                "-r",
                str(requirements),
            ],
            check=True,
            stdout=sys.stderr,  # never pollute stdout: the CDK CLI may read it
        )
        for entry in (tmp / "python").iterdir():
            name = entry.name.lower()
            if name in RUNTIME_PROVIDED or name.startswith(tuple(f"{p}-" for p in RUNTIME_PROVIDED)):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        shutil.rmtree(tmp / "python" / "bin", ignore_errors=True)
        try:
            os.rename(tmp, out)  # atomic; a concurrent build that finished first wins
        except OSError:
            if not (out / "python").is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out, sha


def compiled_dependency_layer(deps_dir: Path, sha: str) -> tuple[Path, str]:
    """A copy of the pip output with every module compiled (decision 0116): /opt is read-only in Lambda, so a
    layer without bytecode is compiled from source on every cold start (about 1 s of CPU for pydantic,
    Powertools and the rest). `unchecked-hash` pycs are used without comparing the source's mtime, which the
    asset zip does not keep; the layer never changes once built, so they cannot go stale. Derived from the
    pip output, so no package index is needed; the tag in each pyc name (cpython-313) makes Lambda ignore them
    if a different Python ran the synth."""
    key = f"{sha}-pyc{_BYTECODE_VERSION}"
    out = LAYER_BUILD_ROOT / key
    if (out / "python").is_dir():
        return out, key
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=LAYER_BUILD_ROOT))
    try:
        shutil.copytree(deps_dir / "python", tmp / "python", symlinks=True)
        compileall.compile_dir(
            tmp / "python",
            quiet=2,
            stripdir=str(tmp / "python"),
            prependdir="/opt/python",  # where Lambda mounts the layer: the paths tracebacks show
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        try:
            os.rename(tmp, out)
        except OSError:
            if not (out / "python").is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out, key


class Layers(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        deps_dir, sha = compiled_dependency_layer(*build_dependency_layer())
        self.dependencies = lambda_.LayerVersion(
            self,
            "DependenciesLayer",
            layer_version_name=f"{config.prefix}-dependencies",
            description=f"Third-party packages from requirements/runtime.txt ({sha})",
            code=lambda_.Code.from_asset(str(deps_dir), asset_hash=sha, asset_hash_type=AssetHashType.CUSTOM),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )
        self.common = lambda_.LayerVersion(
            self,
            "CommonLayer",
            layer_version_name=f"{config.prefix}-common",
            description="Common code (package sat_common) from layers/common",
            code=lambda_.Code.from_asset(
                str(COMMON_LAYER_DIR),
                ignore_mode=IgnoreMode.GIT,
                exclude=["__pycache__/", "*.pyc", ".mypy_cache/", ".pytest_cache/"],
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        return [self.dependencies, self.common]
