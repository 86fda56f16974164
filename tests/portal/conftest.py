"""The portal's browser tests: one local runtime per test session (its portal on a free port) and one Chromium
per test module (Debian's binary; `make test` installs it when missing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.testing import RuntimeDidNotStart, running_runtime

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "cdk.out" / "SatCcf-dev.template.json"
RUNTIME_OPTIONS = ("--sqs-backoff", "0", "--timeout-factor", "10")


@pytest.fixture(scope="session")
def local_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if os.environ.get("LOCAL_E2E_SYNTH") == "1" or not TEMPLATE.exists():
        subprocess.run([sys.executable, "infra/app.py"], cwd=REPO, check=True)
    try:
        with running_runtime(TEMPLATE, tmp_path_factory.mktemp("portal-runtime"), *RUNTIME_OPTIONS) as info:
            yield info
    except RuntimeDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (make chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()
