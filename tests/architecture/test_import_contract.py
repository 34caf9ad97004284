"""Features depend on core, never the reverse.

`vpcase/` (settings, accounts, audit, instellingen, middleware, ...) is the core every feature
app builds on. No module in it may import a feature app (`meldingen`, `rapportage`, `bench`),
at module level or inside a function. The root URLconf and INSTALLED_APPS name features by
string, which is how Django wires them, not an import.

KNOWN lists the arrows that still exist, with the reason; it may only shrink, and it is empty
now that drafts have a core app of their own (vpcase.concepten). An entry that no longer
occurs fails too, so it is taken off when its arrow goes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.once("reads source files only")

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "vpcase"
FEATURES = ("meldingen", "rapportage", "bench")

KNOWN: set[tuple[str, str]] = set()


# Where core names feature modules by string on purpose: Django's wiring (INSTALLED_APPS, the
# beat schedule's task names, the root URLconf's include()s).
WIRING = {"vpcase/settings.py", "vpcase/urls.py", "vpcase/celery.py"}
DOTTED = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def imports_of(path: Path, *, strings: bool = True) -> set[str]:
    """Modules imported, at module level or in a function; with `strings`, also dotted module
    paths in string literals (importlib.import_module("meldingen.forms") is an import too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif strings and isinstance(node, ast.Constant) and isinstance(node.value, str):
            if DOTTED.match(node.value):
                found.add(node.value)
    return found


def core_arrows(root: Path = CORE) -> set[tuple[str, str]]:
    arrows = set()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(root.parent).as_posix()
        for module in imports_of(path, strings=relative not in WIRING):
            if module.split(".")[0] in FEATURES:
                arrows.add((relative, module))
    return arrows


def test_core_imports_no_feature_app():
    arrows = core_arrows()
    new = sorted(arrows - KNOWN)
    gone = sorted(KNOWN - arrows)
    assert not new, f"core imports a feature app: {new}"
    assert not gone, f"these arrows are gone: take them off KNOWN: {gone}"


def test_the_contract_sees_an_arrow_added_on_purpose(tmp_path):
    """The check itself: a core module with a feature import, at module level and inside a
    function, is reported."""
    core = tmp_path / "vpcase"
    (core / "sub").mkdir(parents=True)
    (core / "ok.py").write_text("from vpcase.accounts import models\nimport django\n")
    (core / "sub" / "bad.py").write_text(
        "import rapportage.services\n\ndef f():\n    from meldingen.selectors import x\n"
        "\nFORMS = ['meldingen.forms', 'meldingen:dashboard', 'meldingen/x.html']\n"
    )
    (core / "settings.py").write_text("INSTALLED_APPS = ['meldingen', 'rapportage.apps.X']\n")
    (core / "migrations").mkdir()
    (core / "migrations" / "0001.py").write_text("import meldingen\n")
    assert core_arrows(core) == {
        ("vpcase/sub/bad.py", "rapportage.services"),
        ("vpcase/sub/bad.py", "meldingen.selectors"),
        ("vpcase/sub/bad.py", "meldingen.forms"),
    }
