#!/usr/bin/env python
"""`make bench`: whole-run figures of the dashboard against the sandbox over real HTTP.

Serves the offline sandbox in a subprocess with an added latency per request, runs the
dashboard in this process against it (a real token, a real HTTP client) and prints a
table of medians over several runs:

  (a) the busiest category's full entries: our service vs the official `asana` SDK (v5);
  (b) the categories screen and an entries screen through Django vs one bare round trip;
  (c) the quarter's overview over all categories, cache cold and warm;
  (d) peak memory of a CSV export of 100,000 entries (vs 10,000);
  (e) the CSV download of the busiest category's full history through the dashboard's view,
      cache cold, against the SDK fetching the same entries;
  (f) the overview's cost, cache cold, on a 15- and a 132-category workspace, for a quarter
      and a year: requests sent to Asana and wall time;
  (g) merging the busiest category (about 2,800 entries) as a background job in a worker
      process, against a sandbox enforcing 1,500 requests a minute: moves a minute, peak
      concurrent writes, requests over the budget, the home page's time meanwhile.

A report, not a test: it exits 0 when a target is missed, and says MISSED.
Usage: .venv/bin/python scripts/bench.py [--latency-ms 50] [--runs 5] [--markdown] [--only a,b]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.report import (
    Row,
    load_text,
    machine_line,
    median,
    missed_lines,
    render_markdown,
    render_text,
)

__all__ = ["Row", "main", "median", "parse_args", "parse_only", "render_markdown", "render_text"]

ALL_MEASURES = "abcdefg"
# Asana answers concurrent requests side by side; so do this many sandbox processes. One
# process would answer them in turn (Python's interpreter lock) and the figures would
# measure the stand-in, not the dashboard.
DEFAULT_SANDBOX_PROCESSES = 2


def parse_only(text: str) -> list[str]:
    """'a,c' -> ['a', 'c'] (in table order); unknown letters are an error."""
    chosen = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = chosen - set(ALL_MEASURES)
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose among {','.join(ALL_MEASURES)} (got {text!r})")
    return [letter for letter in ALL_MEASURES if letter in chosen]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=int(os.environ.get("BENCH_LATENCY_MS", "50")),
        help="added by the sandbox to every request (default 50, or BENCH_LATENCY_MS)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median; default 5)")
    parser.add_argument(
        "--sandbox-processes",
        type=int,
        default=DEFAULT_SANDBOX_PROCESSES,
        help="processes serving the sandbox, which Asana's side by side answers stand in for"
        f" (default {DEFAULT_SANDBOX_PROCESSES})",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--only", type=parse_only, default=list(ALL_MEASURES), help="e.g. a,c (default: all)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.latency_ms < 0 or args.sandbox_processes < 1:
        parser.error("--runs and --sandbox-processes must be at least 1, --latency-ms at least 0")
    return args


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds: the sandbox is stopped, the temp dir removed


def run_measures(
    letters: Sequence[str],
    *,
    latency_ms: int,
    runs: int,
    sandbox_processes: int = DEFAULT_SANDBOX_PROCESSES,
) -> tuple[list[Row], list[str]]:
    from bench.environment import bench_environment
    from bench.measures import MEASURES, Bench
    from bench.probes import PoolDiscards, RequestCounter

    counter = RequestCounter()
    counter.install()
    discards = PoolDiscards()
    rows: list[Row] = []
    with bench_environment(latency_ms, sandbox_processes=sandbox_processes) as env:
        print(
            f"Sandbox at {env.base_url} ({sandbox_processes} process(es)), {latency_ms} ms"
            f" added per request, {runs} runs each"
        )
        discards.install()  # after django.setup(), which configures logging
        bench = Bench(env=env, runs=runs, counter=counter)
        for letter in letters:
            started = time.perf_counter()
            try:
                rows.extend(MEASURES[letter](bench))
            except Exception as error:  # a report shows what it can; the trace says why
                traceback.print_exc()
                rows.append(Row(f"({letter}) failed", f"error: {error}", "", "", "", False))
            print(f"  ({letter}) done in {time.perf_counter() - started:.1f} s", flush=True)
    if discards.count:
        bench.note(
            f"urllib3 discarded {discards.count} connection(s) as its pool was full: more"
            " threads than the AsanaClient's pool_size, so some requests open new connections"
        )
    return rows, bench.notes


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    started = time.perf_counter()
    print(machine_line(), flush=True)
    rows, notes = run_measures(
        args.only,
        latency_ms=args.latency_ms,
        runs=args.runs,
        sandbox_processes=args.sandbox_processes,
    )
    print()
    print(f"Medians of {args.runs} runs at {args.latency_ms} ms latency:")
    print(render_markdown(rows) if args.markdown else render_text(rows))
    print()
    for note in notes:
        print(f"- {note}")
    missed = missed_lines(rows)
    for line in missed:
        print(line)
    if not missed:
        print("All targets met.")
    print(f"Took {time.perf_counter() - started:.0f} s; at the end, {load_text()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
