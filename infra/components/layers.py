"""The two Lambda layers: third-party dependencies (built offline with pip) and the common code.

The dependency layer is built once per content of requirements/runtime.txt into
build/layer-deps/<sha>/python with `pip install --platform manylinux2014_aarch64 ...` (no Docker)
and reused by every later synth; see docs/decisions/0004-dependency-layer-offline.md.
"""

from __future__ import annotations

import hashlib
import os
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


class Layers(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        deps_dir, sha = build_dependency_layer()
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
