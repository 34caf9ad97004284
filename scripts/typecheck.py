"""`make typecheck`: mypy (with django-stubs) against a baseline that only shrinks.

The errors mypy reported when the type check was introduced are in .mypy-baseline.txt, one
line per kind of error: a count and "path: error-code: message", without line numbers, so that
editing a file above an old error does not break the check. The check fails

- on a new error: a key that is not in the baseline, or that occurs more often than it says;
- on a stale entry: a key that occurs less often than the baseline says. The fix that removed
  the error shrinks the baseline in the same change (`make typecheck-baseline`), so that the
  error cannot come back unnoticed.

Moving code to another module changes the path of its errors: regenerate the baseline with
`make typecheck-baseline` and check in the diff that it only moved or shrank.

    python scripts/typecheck.py            # the check (what `make typecheck` runs)
    python scripts/typecheck.py --write    # rewrite the baseline from today's errors
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".mypy-baseline.txt"
REGENERATE = "make typecheck-baseline"

# mypy's default output: "path:line: error: message  [code]" (":column" with --show-column-numbers).
_LINE = re.compile(
    r"^(?P<path>[^:\n]+?):(?P<line>\d+)(?::\d+)?: (?P<severity>error|note|warning): "
    r"(?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)
# Messages that name another line ("defined on line 12") would change with every edit above it.
_LINE_REFERENCE = re.compile(r"\bline \d+\b")

HEADER = f"""\
# mypy errors accepted when the type check was introduced: `make typecheck` fails on a new one
# and on an entry below that no longer occurs. This file only shrinks: fix an error, then
# regenerate it with `{REGENERATE}` in the same change.
# count  path: error-code: message
"""


def error_key(path: str, code: str | None, message: str) -> str:
    message = _LINE_REFERENCE.sub("line N", message.strip())
    return f"{Path(path).as_posix()}: {code or 'misc'}: {message}"


def parse_mypy_output(text: str) -> tuple[Counter[str], list[str]]:
    """The errors of a mypy run by key, and the raw error lines (for showing where they are).
    Notes belong to the error before them and are not counted."""
    keys: Counter[str] = Counter()
    lines = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match is None or match["severity"] != "error":
            continue
        key = error_key(match["path"], match["code"], match["message"])
        keys[key] += 1
        lines.append(line)
    return keys, lines


def read_baseline(text: str) -> Counter[str]:
    baseline: Counter[str] = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        count, sep, key = line.strip().partition(" ")
        if not sep or not count.isdigit():
            raise ValueError(f"{BASELINE.name}:{number}: expected 'count path: code: message'")
        baseline[key.strip()] += int(count)
    return baseline


def format_baseline(keys: Counter[str]) -> str:
    return HEADER + "".join(f"{count:>3} {key}\n" for key, count in sorted(keys.items()))


def compare(current: Counter[str], baseline: Counter[str]) -> tuple[list[str], list[str]]:
    """(new, stale): keys that occur more often than the baseline allows, and baseline keys
    that occur less often than it says, each with the difference."""
    new = [
        f"{current[key] - baseline[key]} x {key}"
        for key in sorted(current)
        if current[key] > baseline[key]
    ]
    stale = [
        f"{baseline[key] - current[key]} x {key}"
        for key in sorted(baseline)
        if baseline[key] > current[key]
    ]
    return new, stale


def report(current: Counter[str], error_lines: list[str], baseline: Counter[str]) -> int:
    """Prints what is wrong; returns the exit status."""
    new, stale = compare(current, baseline)
    if new:
        new_keys = {entry.split(" x ", 1)[1] for entry in new}
        print(f"typecheck: {len(new)} new kind(s) of mypy error, not in {BASELINE.name}:")
        for entry in new:
            print(f"  {entry}")
        print("where mypy reports them (fix them; the baseline does not grow):")
        for line in error_lines:
            match = _LINE.match(line)
            if match and error_key(match["path"], match["code"], match["message"]) in new_keys:
                print(f"  {line}")
    if stale:
        print(f"typecheck: {len(stale)} entry(ies) of {BASELINE.name} no longer occur(s):")
        for entry in stale:
            print(f"  {entry}")
        print(f"Shrink the baseline in the same change: {REGENERATE}")
    if new or stale:
        return 1
    print(f"typecheck: {sum(current.values())} known error(s), none new ({BASELINE.name}).")
    return 0


def run_mypy() -> str:
    # The settings refuse to load in production mode without its keys; the types do not depend
    # on the mode, and nothing is connected to.
    env = {**os.environ, "VPCASE_ENV": "development"}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-pretty", "--no-error-summary", "--show-error-codes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    # 0: clean, 1: errors found; anything else (2) is a crash or a configuration error.
    errors_found = result.returncode == 1 and parse_mypy_output(result.stdout)[0]
    if result.returncode != 0 and not errors_found:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"typecheck: mypy failed (exit status {result.returncode})")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write", action="store_true", help="rewrite the baseline")
    args = parser.parse_args(argv)
    current, error_lines = parse_mypy_output(run_mypy())
    if args.write:
        BASELINE.write_text(format_baseline(current), encoding="utf-8")
        print(f"typecheck: wrote {sum(current.values())} error(s) to {BASELINE.name}.")
        return 0
    if not BASELINE.exists():
        print(f"typecheck: {BASELINE.name} is missing; create it with {REGENERATE}.")
        return 1
    return report(current, error_lines, read_baseline(BASELINE.read_text(encoding="utf-8")))


if __name__ == "__main__":
    sys.exit(main())
