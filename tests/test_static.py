"""Static checks: bandit (medium and above) and the project's semgrep rules (.semgrep/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CODE = ["vpcase", "meldingen", "rapportage"]
RULES = {
    "vpcase-no-csrf-exempt",
    "vpcase-no-formatted-sql",
    "vpcase-no-logging-request-bodies",
    "vpcase-no-logging-encrypted-fields",
    "vpcase-no-unscoped-queries-in-views",
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
