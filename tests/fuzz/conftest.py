"""The fuzz run gets a local runtime of its own: it writes random data, which must not reach the e2e tests' world.

The fixture is the e2e one (tests/e2e/conftest.py), loaded under another module name so that this
directory has its own session-scoped instance.
"""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("fuzz_e2e_conftest", Path(__file__).parents[1] / "e2e" / "conftest.py")
assert _spec and _spec.loader
_e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_e2e)

local_runtime = _e2e.local_runtime
