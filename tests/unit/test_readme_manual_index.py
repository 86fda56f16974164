"""The README's "Where each step of the manual lives" names files that exist: an index that drifts from the code
is worse than none (the refactors of decision 0114 moved many)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _index_rows() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Where each step of the manual lives", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| manual")]


def _named_files(cell: str) -> list[Path]:
    """`area/module.py` starts an area; a bare `module.py` after it is in the same area (under functions/);
    `docs/…` and `examples/…` are from the repository's root."""
    files, area = [], None
    for name in re.findall(r"`([^`]+)`", cell):
        if name.startswith(("docs/", "examples/")):
            files.append(ROOT / name)
        elif "/" in name:
            area = name.split("/", 1)[0]
            files.append(ROOT / "functions" / name)
        elif area is not None:
            files.append(ROOT / "functions" / area / name)
    return files


def test_every_file_the_manual_index_names_exists():
    rows = _index_rows()
    assert len(rows) >= 10
    missing = [
        str(path.relative_to(ROOT)) for row in rows for path in _named_files(row.split("|")[4]) if not path.exists()
    ]
    assert not missing, f"README's manual index names files that do not exist: {missing}"
