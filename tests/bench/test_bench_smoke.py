"""Smoke test of `scripts/bench.py`'s pure helpers: no Django setup, no server, no timing."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def bench_script() -> ModuleType:
    """scripts/bench.py loaded by path (importing it starts nothing)."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("bench_script", SCRIPTS / "bench.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


@pytest.fixture(scope="module")
def report(bench_script: ModuleType) -> ModuleType:
    return sys.modules["bench.report"]


def test_median_of_odd_and_even_counts(bench_script):
    assert bench_script.median([3.0, 1.0, 2.0]) == 2.0
    assert bench_script.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    with pytest.raises(ValueError, match="no values"):
        bench_script.median([])


def test_units(report):
    assert report.ms(0.0042) == "4.2 ms"
    assert report.ms(0.2504) == "250 ms"
    assert report.signed_ms(-0.012) == "-12 ms"
    assert report.signed_ms(0.159) == "+159 ms"
    assert report.ratio(1.0, 4.0) == "0.25x"
    assert report.ratio(1.0, 0.0) == "n/a"
    assert report.size(512) == "512 B"
    assert report.size(137_728) == "134.5 KiB"
    assert report.size(3 * 1024**2) == "3.0 MiB"


def test_targets(report):
    assert report.page_within(0.120, 0.096)
    assert not report.page_within(0.255, 0.096)
    assert report.flat_memory(100_000, 120_000)
    assert report.flat_memory(10_000, 60_000)  # within the absolute slack
    assert not report.flat_memory(100_000, 1_000_000)


def test_tables_have_every_column_and_say_missed(bench_script, report):
    rows = [
        bench_script.Row("(a) entries", "1200 ms", "4480 ms", "0.27x", "≤ 0.25x SDK", False),
        bench_script.Row("(b) page | warm", "107 ms", "96 ms (1 RT)", "+11 ms", "-", None),
        bench_script.Row("(d) export", "134.5 KiB", "134.5 KiB", "1.00x", "flat", True),
    ]
    text = bench_script.render_text(rows).splitlines()
    assert text[0].split() == ["measure", "ours", "reference", "ratio/overhead", "target", "met?"]
    assert set(text[1]) <= {"-", " "}
    assert text[2].endswith("no")
    assert text[4].endswith("yes")
    markdown = bench_script.render_markdown(rows).splitlines()
    assert markdown[0] == "| measure | ours | reference | ratio/overhead | target | met? |"
    assert markdown[1] == "| --- | --- | --- | --- | --- | --- |"
    assert "page \\| warm" in markdown[3]  # a pipe in a cell does not break the table
    assert report.missed_lines(rows) == ["MISSED: (a) entries: 1200 ms (target ≤ 0.25x SDK)"]


def test_machine_line(report):
    cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"
    assert report.cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert report.cpu_model("") == "unknown CPU"
    line = report.machine_line(today=dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC))
    assert line.startswith("Machine: ")
    assert "Python 3." in line
    assert "2025-06-30 12:00 UTC" in line


def test_options(bench_script, monkeypatch):
    monkeypatch.delenv("BENCH_LATENCY_MS", raising=False)
    args = bench_script.parse_args([])
    assert (args.latency_ms, args.runs, args.markdown, args.only) == (50, 5, False, list("abcdefg"))
    monkeypatch.setenv("BENCH_LATENCY_MS", "20")
    args = bench_script.parse_args(["--only", "d, a", "--runs", "3", "--markdown"])
    assert (args.latency_ms, args.runs, args.markdown, args.only) == (20, 3, True, ["a", "d"])
    with pytest.raises(argparse.ArgumentTypeError):
        bench_script.parse_only("a,h")


def test_the_sandbox_serves_from_two_processes_unless_told(bench_script):
    assert bench_script.parse_args([]).sandbox_processes == 2
    assert bench_script.parse_args(["--sandbox-processes", "1"]).sandbox_processes == 1
    with pytest.raises(SystemExit):
        bench_script.parse_args(["--sandbox-processes", "0"])


def test_the_overview_is_timed_with_the_section_its_frame_loads(bench_script):
    import bench.measures as measures

    frame = (
        '<section id="overview-results" class="overview-results is-loading"\n'
        '         hx-get="/overview/?range=custom&amp;start=2025-04-01&amp;end=2025-06-30"'
        ' hx-trigger="load">'
    )

    url = measures._lazy_section_url(frame)

    assert url == "/overview/?range=custom&start=2025-04-01&end=2025-06-30"
    assert measures.SECTION_HEADERS["HX-Target"] == "overview-results"
    with pytest.raises(RuntimeError, match="no lazy section"):
        measures._lazy_section_url("<main>all at once</main>")
