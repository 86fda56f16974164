"""Check the one data-access path (docs/decisions/0114): in the deployed code (functions/ and the common layer) and
the operations command (ops/), DynamoDB expressions live only in repository modules and table keys are built only
by sat_common.keys.

- An expression is a string constant that reads like one (`attribute_not_exists(`, `begins_with(`, `SET a = :b`,
  `#status = :s`…) or a use of boto3's condition builders (`Key(...)`, `Attr(...)`), or any value passed as
  `ConditionExpression`/`UpdateExpression`/`KeyConditionExpression`/`FilterExpression`/`ProjectionExpression`.
  Repository modules are `repository.py`, `*_repository.py` or any module of a `repositories` package; the item
  store itself (`sat_common/items.py`, `sat_common/dynamo.py`) passes expressions through.
- A key prefix is a string constant starting with `<UPPER_CASE>#` (`"PERSON#"`, f"CCF#{nit}"); only
  `sat_common/keys.py` may spell one.

Usage: `python scripts/check_data_access.py` prints each finding as `path:line: what` and exits 1 if any.
"""

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = (ROOT / "functions", ROOT / "layers" / "common" / "python", ROOT / "ops")
STORE_MODULES = {"sat_common/items.py", "sat_common/dynamo.py"}
KEYS_MODULE = "sat_common/keys.py"

EXPRESSION_ARGUMENTS = {
    "ConditionExpression",
    "UpdateExpression",
    "KeyConditionExpression",
    "FilterExpression",
    "ProjectionExpression",
}
EXPRESSION_TEXT = re.compile(
    r"\battribute_(?:not_)?exists\s*\("
    r"|\bbegins_with\s*\("
    r"|\battribute_type\s*\("
    r"|^\s*(?:SET|ADD|REMOVE|DELETE)\s+[#\w.\[\]]+\s*(?:=|:|,|\s:|$)"
    r"|[#\w.\]]+\s*(?:=|<>|<=|>=|<|>)\s*:\w"
    r"|:\w+\s*(?:=|<>|<=|>=|<|>)\s*[#\w]"
)
KEY_PREFIX = re.compile(r"^[A-Z][A-Z_]{2,}#")
CONDITION_BUILDERS = {"Key", "Attr"}


def _is_repository(relative: str) -> bool:
    path = Path(relative)
    return path.name == "repository.py" or path.name.endswith("_repository.py") or "repositories" in path.parts


def _strings(node: ast.AST) -> Iterator[tuple[int, str]]:
    """Every literal text in the module with its line (f-strings give their literal parts, the first one kept
    whole so a prefix like f"CCF#{nit}" is seen)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.lineno, child.value
        elif isinstance(child, ast.JoinedStr):
            for part in child.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield part.lineno, part.value


def _docstrings(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                lines.add(first.value.lineno)
    return lines


def findings(roots: tuple[Path, ...] = SCANNED) -> list[str]:
    found: list[str] = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative in STORE_MODULES:
                continue
            shown = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
            docs = _docstrings(tree)
            repository = _is_repository(relative)
            if not repository:
                found.extend(f"{shown}:{line}: {what}" for line, what in _expressions(tree, docs))
            if relative != KEYS_MODULE:
                found.extend(
                    f"{shown}:{line}: key prefix {text.split('#', 1)[0]}# typed by hand (use sat_common.keys)"
                    for line, text in _strings(tree)
                    if line not in docs and KEY_PREFIX.match(text)
                )
    return found


def _expressions(tree: ast.Module, docs: set[int]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in EXPRESSION_ARGUMENTS:
            yield node.value.lineno, f"{node.arg} outside a repository"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CONDITION_BUILDERS:
            yield node.lineno, f"boto3 condition builder {node.func.id}(...) outside a repository"
    for line, text in _strings(tree):
        if line not in docs and EXPRESSION_TEXT.search(text):
            yield line, f"DynamoDB expression {text[:60]!r} outside a repository"


def main() -> int:
    found = findings()
    for line in found:
        print(line)
    print(f"{len(found)} finding(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
