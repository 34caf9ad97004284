"""No import cycle between the project's modules.

A cycle is what makes a newcomer reach for an import inside a function: `selectors` needs
`verzoeken`, which needs `selectors`, so one of them imports the other late. That hides the
design smell instead of fixing it, so imports inside functions count here as much as imports
at the top of a module. The layering that keeps the graph acyclic:

    views, tasks  ->  services (writes)  ->  selectors (reads)  ->  models

ALLOWED lists the few arrows that may close a cycle, each with its reason; it may only
shrink, and an entry that no longer occurs fails too.

How an import becomes an arrow:
- `import a.b.c` and `from a.b import c` point at the deepest project module they name
  (`a.b.c`, or `a.b` when `c` is a name inside it); relative imports are resolved.
- Importing `a.b.c` also runs `a/__init__.py` and `a/b/__init__.py`, so the arrow goes to
  those packages too, unless the importing module is itself inside them (Python imported them
  before it).
- Imports under `if TYPE_CHECKING:` never run and are left out.
- Django and Celery load apps, URLconfs, migrations and tasks by dotted string; those are
  not imports and make no arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.once("reads source files only")

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("vpcase", "meldingen", "rapportage", "bench")

ALLOWED: dict[tuple[str, str], str] = {}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = ROOT, packages=PACKAGES) -> dict[str, Path]:
    return {
        module_name(path, root): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """Every Import/ImportFrom, at any depth, except those under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imported_names(name: str, path: Path) -> set[str]:
    """Dotted names this module imports (absolute, relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if _is_package(path) else name.rpartition(".")[0]
    found = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        if node.level:
            base_parts = package.split(".")
            base_parts = base_parts[: len(base_parts) - (node.level - 1)]
            base = ".".join(base_parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        found.add(base)
        found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph(root: Path = ROOT, packages=PACKAGES) -> dict[str, set[str]]:
    modules = project_modules(root, packages)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        own_packages = set()
        parts = name.split(".")
        for i in range(1, len(parts) + (1 if _is_package(path) else 0)):
            own_packages.add(".".join(parts[:i]))
        for imported in imported_names(name, path):
            if imported not in modules:
                continue  # a name inside a module, or outside the project
            parts = imported.split(".")
            targets = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
            graph[name].update(t for t in targets if t in modules and t not in own_packages)
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]], allowed=frozenset()) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), sorted."""
    edges = {m: {t for t in ts if (m, t) not in allowed} for m, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    for start in sorted(edges):
        if start in index:
            continue
        # Iterative, so that a long chain of imports cannot hit the recursion limit.
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def test_no_import_cycle_between_project_modules():
    graph = import_graph()
    assert cycles(graph, allowed=set(ALLOWED)) == []
    unused = sorted(edge for edge in ALLOWED if edge[1] not in graph.get(edge[0], set()))
    assert not unused, f"these arrows are gone: take them off ALLOWED: {unused}"


def test_the_check_sees_a_cycle_made_on_purpose(tmp_path):
    """The check itself, on a tiny package: a cycle through an import inside a function and a
    relative import is found; a TYPE_CHECKING import, an arrow into a parent package's
    __init__ and an allowed arrow are not cycles."""
    pkg = tmp_path / "app"
    (pkg / "views").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "views" / "__init__.py").write_text("")
    (pkg / "models.py").write_text("import django\n")
    (pkg / "selectors.py").write_text(
        "from .models import Thing\n\ndef read():\n    from app.services import write\n"
    )
    (pkg / "services.py").write_text(
        "from typing import TYPE_CHECKING\nfrom . import selectors\n"
        "if TYPE_CHECKING:\n    from app.views.page import View\n"
    )
    (pkg / "tasks.py").write_text("from .services import write\n")
    (pkg / "queue.py").write_text("def later():\n    from . import tasks\n")
    (pkg / "views" / "page.py").write_text("from ..services import write\nfrom .. import tasks\n")

    graph = import_graph(tmp_path, ("app",))
    assert graph["app.services"] == {"app.selectors"}
    assert graph["app.views.page"] == {"app.services", "app.tasks"}
    assert cycles(graph) == [["app.selectors", "app.services"]]
    assert cycles(graph, allowed={("app.selectors", "app.services")}) == []

    (pkg / "tasks.py").write_text("from .services import write\nfrom app import queue\n")
    (pkg / "services.py").write_text("from . import selectors, queue\n")
    (pkg / "queue.py").write_text("def later():\n    from . import services\n")
    assert cycles(import_graph(tmp_path, ("app",))) == [
        ["app.queue", "app.selectors", "app.services"]
    ]
