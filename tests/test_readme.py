"""The README stays a newcomer's page, and the docs stay true to the tree.

- The README is under 200 lines.
- Every repository path the README or a page of docs/ names in backticks exists, and so does
  every path of the README's layout block; every top-level folder and every app under
  `vpcase/` appears in that layout.
- The glossary names every model class and every choice enum of the apps' models.py files
  (found by parsing them, so no database is needed).
- Every relative link between README.md, docs/ and bench/RESULTS.md reaches a file, and a
  heading where it names an anchor.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.once("reads files only")

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
# Not part of the repository: what .gitignore names at the top level, and .git itself.
UNTRACKED = {".git"} | {
    line.strip().strip("/")
    for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    if line.strip()
    and not line.startswith("#")
    and "*" not in line
    and "/" not in line.strip().strip("/")
}
APP_PACKAGES = ("vpcase", "meldingen", "rapportage", "bench")
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}
# Bases from Django and django-otp that make a class a model.
MODEL_BASES = {"Model", "AbstractBaseUser", "Device"}


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of each ``` block."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S)


def prose(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)


def expand_braces(token: str) -> list[str]:
    match = re.search(r"\{([^{}]*)\}", token)
    if not match:
        return [token]
    head, tail = token[: match.start()], token[match.end() :]
    return [
        path for part in match.group(1).split(",") for path in expand_braces(head + part + tail)
    ]


def named_paths(text: str) -> set[str]:
    """Backticked tokens that are repository paths: they start with a top-level entry of the
    checkout (`meldingen/services.py`, `docs/`, `Makefile`). URLs, placeholders and dotted
    module names are not paths."""
    top = {p.name for p in ROOT.iterdir()} - UNTRACKED
    found = set()
    for token in re.findall(r"`([^`\s]+)`", prose(text)):
        if any(c in token for c in "<>…*$") or token.startswith("/"):
            continue
        for path in expand_braces(token.split("::")[0]):
            if path.split("/")[0] in top:
                found.add(path)
    return found


def layout_paths(readme: str) -> list[str]:
    """The paths of the README's layout block: one entry per line, two spaces per level."""
    blocks = [body for info, body in fenced_blocks(section(readme, "Layout"))]
    assert blocks, "the README's Layout section has no code block"
    paths, parents = [], []
    for line in blocks[0].splitlines():
        if not line.strip():
            continue
        level = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        parents = parents[:level]
        paths.append("/".join([*parents, name]))
        if name.endswith("/"):
            parents.append(name.rstrip("/"))
    return paths


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"no section '## {title}'"
    return match.group(1)


def models_files() -> list[Path]:
    return sorted(path for package in APP_PACKAGES for path in (ROOT / package).rglob("models.py"))


def base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def models_and_enums() -> tuple[set[str], set[str]]:
    """Model classes (also abstract ones, and subclasses of the project's own models) and
    choice enums (nested ones as Outer.Inner) of every models.py in the apps."""
    classes: list[tuple[str, set[str]]] = []
    enums: set[str] = set()

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if not isinstance(node, ast.ClassDef) or node.name == "Meta":
                continue
            bases = {base_name(b) for b in node.bases}
            if bases & CHOICES_BASES:
                enums.add(prefix + node.name)
            elif not prefix:
                classes.append((node.name, bases))
            visit(node.body, f"{prefix}{node.name}.")

    for path in models_files():
        visit(ast.parse(path.read_text(encoding="utf-8")).body, "")
    models = set(MODEL_BASES)
    changed = True
    while changed:
        changed = False
        for name, bases in classes:
            if name not in models and bases & models:
                models.add(name)
                changed = True
    return models - MODEL_BASES, enums


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = prose(path.read_text(encoding="utf-8"))
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < 200, f"README.md has {lines} lines; move detail to docs/"


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_named_exists(doc):
    missing = sorted(
        p for p in named_paths(doc.read_text(encoding="utf-8")) if not (ROOT / p).exists()
    )
    assert not missing, f"{doc.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_the_layout_matches_the_tree():
    readme = README.read_text(encoding="utf-8")
    paths = layout_paths(readme)
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"the README's layout names what does not exist: {missing}"
    listed = {p.rstrip("/") for p in paths}
    folders = {
        p.name
        for p in ROOT.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name not in UNTRACKED
        and not p.name.endswith(".egg-info")
    }
    apps = {f"vpcase/{p.parent.name}" for p in (ROOT / "vpcase").glob("*/apps.py")}
    unlisted = sorted((folders | apps) - listed)
    assert not unlisted, f"the README's layout leaves out {unlisted}"


def test_the_glossary_names_every_model_and_enum():
    glossary = set(
        re.findall(r"`([\w.]+)`", section(README.read_text(encoding="utf-8"), "Glossary"))
    )
    models, enums = models_and_enums()
    assert models >= {"Melding", "Organisatie", "AuditEvent", "Jaarverslag"}  # the parse works
    assert "Kennisgeving.Soort" in enums
    missing = sorted((models | enums) - glossary)
    assert not missing, f"the README's glossary leaves out {missing}"


@pytest.mark.parametrize(
    "doc",
    [README, *DOCS, ROOT / "bench" / "RESULTS.md"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_every_link_reaches_a_file_and_heading(doc):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose(doc.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        path = (doc.parent / file_part).resolve() if file_part else doc
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)} has broken links: {broken}"
