"""One configuration style in every area (decision 0117): `config.settings()`, and `config.deps()` where the area
builds resources; no other module reads the environment or builds settings."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"


def _cached(function: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "cache" for d in function.decorator_list)


def _config_findings(area: Path) -> list[str]:
    config = area / "config.py"
    if not config.exists():
        return [f"{area.name}: no config.py"]
    tree = ast.parse(config.read_text(encoding="utf-8"))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    found = []
    settings = functions.get("settings")
    returns = getattr(settings.returns, "id", "") if settings else ""
    if not settings or not _cached(settings) or not returns.endswith("Settings") or returns not in classes:
        found.append(f"{area.name}: config.py needs `@cache def settings() -> <Area>Settings` defined there")
    deps = functions.get("deps")
    if deps:
        fields = [n for n in getattr(classes.get("Deps"), "body", []) if isinstance(n, ast.AnnAssign)]
        first = getattr(fields[0].target, "id", "") if fields else ""
        if not _cached(deps) or first != "settings":
            found.append(f"{area.name}: `@cache def deps() -> Deps` with `settings` as Deps' first field")
    return found


def _module_findings(module: Path, functions: Path) -> list[str]:
    """The environment read, or an area's settings class built, outside config.py."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    where = module.relative_to(functions)
    settings_classes = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".config")
        for alias in node.names
        if alias.name.endswith("Settings")
    } | {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "").endswith("Settings") for b in node.bases)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
            found.append(f"{where}:{node.lineno}: reads the environment")
        if isinstance(node, ast.ClassDef) and node.name in settings_classes:
            found.append(f"{where}:{node.lineno}: defines {node.name}")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in settings_classes:
            found.append(f"{where}:{node.lineno}: builds {node.func.id}")  # type: ignore[attr-defined]
    return found


def findings(functions: Path) -> list[str]:
    found = []
    for area in sorted(p for p in functions.iterdir() if (p / "handler.py").exists()):
        found += _config_findings(area)
        for module in sorted(area.rglob("*.py")):
            if module != area / "config.py":
                found += _module_findings(module, functions)
    return found


def test_every_area_configures_itself_one_way() -> None:
    assert findings(FUNCTIONS) == []


def test_the_check_catches_each_kind_of_departure(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "handler.py").write_text("from good.config import settings\n")
    (good / "config.py").write_text(
        "from dataclasses import dataclass\nfrom functools import cache\n\n"
        "class GoodSettings: ...\n\n"
        "@dataclass(frozen=True)\nclass Deps:\n    settings: GoodSettings\n    store: object\n\n"
        "@cache\ndef settings() -> GoodSettings:\n    return GoodSettings()\n\n"
        "@cache\ndef deps() -> Deps:\n    return Deps(settings(), object())\n"
    )
    assert findings(tmp_path) == []
    (good / "rules.py").write_text("import os\nfrom good.config import GoodSettings\nTABLE = os.environ['T']\n")
    (good / "more.py").write_text("from good.config import GoodSettings\nS = GoodSettings()\n")
    (good / "own.py").write_text("from x.settings import ApiSettings\nclass OwnSettings(ApiSettings): ...\n")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "handler.py").write_text("")
    (bad / "config.py").write_text("from functools import lru_cache\n\n@lru_cache\ndef deps(): ...\n")
    missing = tmp_path / "missing"
    missing.mkdir()
    (missing / "handler.py").write_text("")
    assert findings(tmp_path) == [
        "bad: config.py needs `@cache def settings() -> <Area>Settings` defined there",
        "bad: `@cache def deps() -> Deps` with `settings` as Deps' first field",
        "good/more.py:2: builds GoodSettings",
        "good/own.py:2: defines OwnSettings",
        "good/rules.py:3: reads the environment",
        "missing: no config.py",
    ]
