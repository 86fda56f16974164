"""`python -m ops`: operations of a deployed stack or of the local runtime (docs/deploy.md, decision 0070).

The commands use the project's own code where it exists (sat_common for items and messages, the functions'
repositories for their named operations, bound to the target's table by ops.target.Target.store), so what they
write is what the functions read; ops' own data access (backfills, the bootstrap's writes) is in ops.repositories
(decision 0114).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The common-code layer and the function packages, as Lambda and the tests see them.
for _path in (REPO_ROOT / "layers" / "common" / "python", REPO_ROOT / "functions"):
    if str(_path) not in sys.path:
        sys.path.append(str(_path))
