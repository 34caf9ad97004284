"""Record and replay the suppression's inputs, to time rapportage.disclosure.protect() and to
check that a change to it decides exactly what it decided before.

Record: run tests with this file as a pytest plugin; every protect() call is pickled to
var/protect-corpus/ (true counts: test data only, never a real database):

    PYTHONPATH=bench make test-pg COVERAGE= PYTEST_ARGS="-n 0 -p protect_corpus \\
        tests/rapportage/test_attacker_rapport.py tests/rapportage/test_publicaties.py"

Replay, keeping what was decided; later, replay against that file:

    .venv/bin/python bench/protect_corpus.py --save var/protect-before.json
    .venv/bin/python bench/protect_corpus.py --compare var/protect-before.json
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import pickle
import sys
import time
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "var" / "protect-corpus"
_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _record_protect(monkeypatch):
    from rapportage import disclosure

    real = disclosure.protect
    CORPUS.mkdir(parents=True, exist_ok=True)

    def recording(model, tables, *, never_hide=()):
        entry = (copy.deepcopy(model), [list(t) for t in tables], list(never_hide))
        path = CORPUS / f"{os.getpid()}-{next(_numbers)}.pkl"
        path.write_bytes(pickle.dumps(entry))
        return real(model, tables, never_hide=never_hide)

    monkeypatch.setattr(disclosure, "protect", recording)


def replay() -> tuple[dict[str, list], list[tuple[float, str, int]]]:
    sys.path.insert(0, str(CORPUS.parent.parent))
    from rapportage import disclosure

    decided, timings = {}, []
    for path in sorted(CORPUS.glob("*.pkl")):
        model, tables, never_hide = pickle.loads(path.read_bytes())  # noqa: S301 (our own file)
        started = time.perf_counter()
        before, withdrawn = disclosure.protect(model, tables, never_hide=never_hide)
        timings.append((time.perf_counter() - started, path.name, len(model.values)))
        shown = sorted([name, str(value)] for name, value in model.published.items())
        decided[path.name] = [shown, withdrawn, [str(leak) for leak in before]]
    return decided, timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save", type=Path, help="write what was decided to this file")
    parser.add_argument("--compare", type=Path, help="fail if anything differs from this file")
    args = parser.parse_args()
    decided, timings = replay()
    if not timings:
        print(f"no recorded calls in {CORPUS}")
        return 1
    timings.sort(reverse=True)
    for seconds, name, variables in timings[:5]:
        print(f"{seconds:7.2f} s  {variables:4d} variables  {name}")
    print(f"{len(timings)} calls, {sum(t for t, _n, _v in timings):.1f} s in all")
    if args.save:
        args.save.write_text(json.dumps(decided))
    if args.compare:
        earlier = json.loads(args.compare.read_text())
        differ = sorted(name for name in decided if decided[name] != earlier.get(name))
        print(f"{len(differ)} of {len(decided)} differ from {args.compare}", *differ[:10])
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
