"""Static checks: bandit (medium and above) and the project's semgrep rules (.semgrep/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once("reads the code only: the same on both set-ups")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CODE = ["vpcase", "meldingen", "rapportage"]
RULES = {
    "vpcase-no-csrf-exempt",
    "vpcase-no-formatted-sql",
    "vpcase-no-logging-request-bodies",
    "vpcase-no-logging-encrypted-fields",
    "vpcase-no-orm-in-views",
}


def semgrep(*targets: str) -> set[str]:
    result = subprocess.run(
        [
            str(BIN / "semgrep"),
            "scan",
            "--config",
            ".semgrep/",
            "--metrics=off",
            "--quiet",
            "--json",
            "--disable-version-check",
            *targets,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    findings = json.loads(result.stdout)
    assert not findings.get("errors"), findings["errors"]
    return {
        r["check_id"].rsplit(".", 1)[-1] + f" {r['path']}:{r['start']['line']}"
        for r in findings["results"]
    }


def test_project_code_breaks_no_semgrep_rule():
    assert semgrep(*CODE) == set()


def test_the_rules_catch_what_they_should():
    caught = {finding.split()[0] for finding in semgrep("tests/static")}
    assert caught == RULES


def test_the_orm_in_views_rule_catches_each_marked_line_and_nothing_else():
    """tests/static/views/orm.py marks each line the rule must catch (`# ruleid: <id>` on the
    line above it) and lines it must leave alone (`# ok: <id>`)."""
    rule = "vpcase-no-orm-in-views"
    path = "tests/static/views/orm.py"
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    marked = {n + 2 for n, line in enumerate(lines) if line.strip() == f"# ruleid: {rule}"}
    left_alone = {n + 2 for n, line in enumerate(lines) if line.strip() == f"# ok: {rule}"}
    assert len(marked) >= 10 and len(left_alone) >= 4
    caught = {int(f.rsplit(":", 1)[1]) for f in semgrep(path) if f.startswith(f"{rule} ")}
    assert caught == marked
    assert not caught & left_alone


def test_bandit_medium_and_above_is_clean():
    result = subprocess.run(
        [str(BIN / "bandit"), "-q", "-r", *CODE, "-ll", "-x", "*/migrations/*", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["results"] == [], [
        (r["test_id"], r["filename"], r["line_number"]) for r in report["results"]
    ]
