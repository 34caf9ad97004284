"""scripts/typecheck.py, the mypy baseline that only shrinks, on made-up mypy output.

Does not run mypy (that is `make typecheck`): it checks that a new error and a stale baseline
entry each fail the check, and that moving an old error to another line does not.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.once("pure computation on strings")

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("typecheck", ROOT / "scripts" / "typecheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


typecheck = _load_script()

BASELINE = """\
# a comment
  2 vpcase/a.py: arg-type: Argument 1 to "f" has incompatible type "str"; expected "int"
  1 vpcase/b.py: attr-defined: "User" has no attribute "is_verified"
"""

OLD_ERRORS = """\
vpcase/a.py:10: error: Argument 1 to "f" has incompatible type "str"; expected "int"  [arg-type]
vpcase/a.py:20: error: Argument 1 to "f" has incompatible type "str"; expected "int"  [arg-type]
vpcase/a.py:20: note: See https://mypy.readthedocs.io/en/stable/_refs.html#code-arg-type
vpcase/b.py:7: error: "User" has no attribute "is_verified"  [attr-defined]
"""


def check(mypy_output: str, capsys) -> tuple[int, str]:
    current, lines = typecheck.parse_mypy_output(mypy_output)
    status = typecheck.report(current, lines, typecheck.read_baseline(BASELINE))
    return status, capsys.readouterr().out


def test_the_errors_of_the_baseline_pass(capsys):
    status, out = check(OLD_ERRORS, capsys)
    assert status == 0, out
    assert "3 known error(s), none new" in out


def test_an_old_error_on_another_line_still_passes(capsys):
    moved = OLD_ERRORS.replace("a.py:10:", "a.py:55:").replace("b.py:7:", "b.py:8:")
    status, out = check(moved, capsys)
    assert status == 0, out


def test_a_new_error_fails_and_says_where(capsys):
    new = 'vpcase/c.py:3: error: Name "x" is not defined  [name-defined]\n'
    status, out = check(OLD_ERRORS + new, capsys)
    assert status == 1
    assert '1 x vpcase/c.py: name-defined: Name "x" is not defined' in out
    assert "vpcase/c.py:3:" in out  # the line, to find it
    assert "no longer occur" not in out


def test_one_more_of_a_known_error_is_new(capsys):
    third = (
        'vpcase/a.py:30: error: Argument 1 to "f" has incompatible type "str"; '
        'expected "int"  [arg-type]\n'
    )
    status, out = check(OLD_ERRORS + third, capsys)
    assert status == 1
    assert "1 x vpcase/a.py: arg-type:" in out
    assert "vpcase/a.py:30:" in out


def test_a_fixed_error_makes_its_entry_stale(capsys):
    fixed = "\n".join(line for line in OLD_ERRORS.splitlines() if "b.py" not in line)
    status, out = check(fixed, capsys)
    assert status == 1
    assert "no longer occur" in out
    assert '1 x vpcase/b.py: attr-defined: "User" has no attribute "is_verified"' in out
    assert "make typecheck-baseline" in out


def test_the_written_baseline_reads_back_the_same():
    current, _lines = typecheck.parse_mypy_output(OLD_ERRORS)
    written = typecheck.format_baseline(current)
    assert typecheck.read_baseline(written) == current == typecheck.read_baseline(BASELINE)


def test_line_references_inside_a_message_do_not_count():
    a = 'm.py:9: error: Name "f" already defined on line 3  [no-redef]'
    b = 'm.py:12: error: Name "f" already defined on line 5  [no-redef]'
    assert typecheck.parse_mypy_output(a)[0] == typecheck.parse_mypy_output(b)[0]
    assert typecheck.parse_mypy_output(a)[0] == Counter(
        {'m.py: no-redef: Name "f" already defined on line N': 1}
    )


def test_the_checked_in_baseline_is_well_formed():
    text = (ROOT / ".mypy-baseline.txt").read_text(encoding="utf-8")
    assert typecheck.read_baseline(text) == typecheck.read_baseline(
        typecheck.format_baseline(typecheck.read_baseline(text))
    )
