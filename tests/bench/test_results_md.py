"""bench/RESULTS.md: a full run rewrites its own section and keeps everything else."""

from __future__ import annotations

import pytest

from bench import run

pytestmark = pytest.mark.once("pure computation on made-up results")


def scenario(rps: float, p95: float = 20.0, errors: int = 0) -> dict:
    return {"rps": rps, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.2, "errors": errors}


def publishing(median: float, worst: float) -> dict:
    return {"median_s": median, "max_s": worst}


def point(cases: int, aggregation_s: float) -> dict:
    return {
        "cases": cases,
        "case_list_p50_ms": 90.0,
        "case_list_rps": 40.0,
        "aggregation_s": aggregation_s,
        "queries": 12,
        "seconds": 2.5,
        "weasyprint_s": 1.6,
        "worker_peak_mb": 130.2,
        "publication": {
            "load": 1.0,
            "year": 2025,
            "k": 5,
            "tel": publishing(0.1, 0.2),
            "verzamel": publishing(0.1, 0.2),
            "audit": publishing(0.001, 0.002),
            "publish": publishing(0.3, 0.4),
            "last_year_published": {"publish": publishing(0.3, 0.6)},
        },
    }


@pytest.fixture
def results() -> dict:
    return {
        "profile": "full",
        "started": "2026-03-01T09:15:00+00:00",
        "cores": 2,
        "commit": "abc1234",
        "data": {"orgs": 50, "cases": 100_000, "big": 10_000},
        "scenarios": {
            "floor /healthz": scenario(1000),
            "case list (big confidant)": scenario(30),  # 3 %: missed
            "case page, 50 conversations": scenario(300),  # 30 %: met
            "public organisation page": scenario(700),  # 70 %: met
            "anonymous request submission": scenario(20, p95=643),  # missed
            "mailbox login with a code": scenario(30, p95=357),  # met
            "50 clients, case list": scenario(38, errors=0),
        },
        "jaarverslag": {
            "status": "klaar",
            "seconds": 4.08,
            "weasyprint_s": 1.54,  # bound 4.31: met
            "aggregation_s": 0.6,
            "queries": 12,
            "worker_peak_mb": 128.3,
            "backlog_tasks": 0,
            "backlog_wait_s": 0.0,
        },
        "growth": [point(1_000, 0.07), point(100_000, 1.62)],
        "publication_target": {"cases": 100_000, "target_s": 5.0, "slowest_s": 0.6, "met": True},
    }


def target_row(text: str, starts: str) -> str:
    rows = [line for line in text.splitlines() if line.startswith(f"| {starts}")]
    assert len(rows) == 1, (starts, rows)
    return rows[0]


def test_a_new_file_gets_the_date_commit_machine_and_tables(tmp_path, results):
    path = tmp_path / "RESULTS.md"
    run.write_results(results, machine_line="Test CPU, 2 cores", path=path)
    text = path.read_text()
    assert text.startswith("# Benchmark results\n")
    assert text.count(run.RESULTS_BEGIN) == 1 and text.count(run.RESULTS_END) == 1
    assert "## Latest full run: 2026-03-01, commit abc1234" in text
    assert "Machine: Test CPU, 2 cores." in text
    assert "| floor /healthz | 1000 | 100 % |" in text
    assert "| 100000 cases | 90.0 | 1.620 (12) |" in text


def test_each_target_is_met_or_missed_by_the_figures(tmp_path, results):
    path = tmp_path / "RESULTS.md"
    run.write_results(results, machine_line="m", path=path)
    text = path.read_text()
    assert target_row(text, "case list (big confidant) ≥ 40 %").endswith("| 3 % | **missed** |")
    assert target_row(text, "case page, 50 conversations ≥ 25 %").endswith("| 30 % | met |")
    assert target_row(text, "public organisation page ≥ 60 %").endswith("| 70 % | met |")
    assert target_row(text, "anonymous request submission: p95").endswith("| 643 ms | **missed** |")
    assert target_row(text, "mailbox login with a code: p95").endswith("| 357 ms | met |")
    assert target_row(text, "jaarverslag end to end").endswith("| 4.08 s against 4.31 s | met |")
    # 23 times the time for 100 times the cases, the same 12 queries: no faster than linear.
    assert target_row(text, "aggregation no faster than linear").endswith("| met |")
    assert target_row(text, "no errors, 50 clients").endswith("| 0 | met |")
    assert target_row(text, "pressing publish at 100000 cases, slowest run").endswith(
        "| 0.60 | met |"
    )


def test_superlinear_aggregation_or_errors_are_missed(tmp_path, results):
    results["growth"][1]["aggregation_s"] = 8.0  # 114 times the time for 100 times the cases
    results["scenarios"]["50 clients, case list"]["errors"] = 3
    path = tmp_path / "RESULTS.md"
    run.write_results(results, machine_line="m", path=path)
    text = path.read_text()
    assert target_row(text, "aggregation no faster than linear").endswith("| **missed** |")
    assert target_row(text, "no errors, 50 clients").endswith("| 3 | **missed** |")


def test_only_the_section_between_the_markers_is_replaced(tmp_path, results):
    path = tmp_path / "RESULTS.md"
    before = "# Benchmark results\n\nWritten by hand above.\n\n"
    after = "\n\n## Previous runs\n\n### Commit 9143dd4\n\n| kept | table |\n"
    path.write_text(f"{before}{run.RESULTS_BEGIN}\nold figures\n{run.RESULTS_END}{after}")

    run.write_results(results, machine_line="m", path=path)
    results["commit"] = "def5678"
    run.write_results(results, machine_line="m", path=path)

    text = path.read_text()
    assert text.startswith(before + run.RESULTS_BEGIN)
    assert text.endswith(run.RESULTS_END + after)
    assert "old figures" not in text and "abc1234" not in text
    assert "commit def5678" in text
    assert text.count(run.RESULTS_BEGIN) == 1


def test_a_file_without_markers_keeps_its_text_below(tmp_path, results):
    path = tmp_path / "RESULTS.md"
    path.write_text("Notes written by hand.\n")
    run.write_results(results, machine_line="m", path=path)
    text = path.read_text()
    assert text.startswith(run.RESULTS_BEGIN)
    assert text.endswith(run.RESULTS_END + "\n\nNotes written by hand.\n")


def test_the_repository_file_has_one_generated_section():
    text = run.RESULTS_MD.read_text()
    assert text.count(run.RESULTS_BEGIN) == 1 and text.count(run.RESULTS_END) == 1
    assert text.index(run.RESULTS_BEGIN) < text.index(run.RESULTS_END)
    assert "## Previous runs" in text[text.index(run.RESULTS_END) :]


def test_the_machine_line_names_the_cores():
    assert f"{run.os.cpu_count()} cores" in run.machine()
