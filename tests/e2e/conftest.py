"""Starts the local runtime once per session (a subprocess on free ports) for the tests over HTTP.

Synthesizes the template first if cdk.out/SatCcf-dev.template.json does not exist (set
LOCAL_E2E_SYNTH=1 to always synthesize). The runtime's output is kept in <workdir>/runtime.log.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.testing import RuntimeDidNotStart, running_runtime

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "cdk.out" / "SatCcf-dev.template.json"


# The template's function timeouts assume Lambda's dedicated CPU; a loaded 2-core machine running the whole
# suite is many times slower, and no e2e test depends on a function timing out.
E2E_OPTIONS = ("--sqs-backoff", "0", "--timeout-factor", "10")


@pytest.fixture(scope="session")
def local_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if os.environ.get("LOCAL_E2E_SYNTH") == "1" or not TEMPLATE.exists():
        subprocess.run([sys.executable, "infra/app.py"], cwd=REPO, check=True)
    try:
        with running_runtime(TEMPLATE, tmp_path_factory.mktemp("local-runtime"), *E2E_OPTIONS) as info:
            yield info
    except RuntimeDidNotStart as error:
        pytest.fail(str(error))
