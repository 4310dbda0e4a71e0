"""The four measures. Each returns table rows; notes (traffic, paths taken) go to `Bench`.

Everything goes through the public service functions and views, so the figures follow
whatever the code does when it runs (concurrency, limiter, caches).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import report
from .environment import BENCH_TODAY, ENGINEERING, TOKEN, BenchEnvironment
from .jobs import measure_merge
from .memory import export_peak_bytes
from .probes import RequestCounter, Traffic, describe_traffic, make_cold, timed
from .report import Row
from .sdk import INSTALL_HINT, SdkEntries, sdk_available
from .twin import make_twin

T = TypeVar("T")
FULL_HISTORY_DAYS = 730
PAGE_DAYS = 30
EXPORT_SIZES = (10_000, 100_000)
STALL_SUSPECT_MS = 20


@dataclass
class Bench:
    env: BenchEnvironment
    runs: int
    counter: RequestCounter
    notes: list[str] = field(default_factory=list)
    _round_trips: tuple[float, float] | None = None  # (new connection, kept alive)
    _http: Any = None

    def note(self, text: str) -> None:
        self.notes.append(text)

    def traffic_note(self, label: str, traffic: Traffic, seconds: float) -> None:
        latency = self.env.latency_ms
        self.note(f"{label}: {describe_traffic(traffic, seconds=seconds, latency_ms=latency)}")

    def round_trip(self, *, new_connection: bool = True) -> float:
        """One bare upstream round trip, the median of `GET /users/me` by plain `requests`:
        on a new connection each time, or on one kept alive (as a running dashboard's
        connection pool has them)."""
        if self._round_trips is None:
            self._round_trips = self._measure_round_trips()
        fresh, kept = self._round_trips
        return fresh if new_connection else kept

    def _measure_round_trips(self) -> tuple[float, float]:
        import requests

        url = self.env.base_url + "/users/me"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        fresh = report.median(
            sample(self._samples(), lambda: _ok(requests.get(url, headers=headers, timeout=30)))
        )
        with requests.Session() as session:
            session.headers.update(headers)
            kept = report.median(sample(self._samples(), lambda: _ok(session.get(url, timeout=30))))
        extra = (kept - fresh) * 1000
        if extra > STALL_SUSPECT_MS:
            self.note(
                f"WARNING: a round trip on a kept-alive connection takes {report.ms(kept)}, "
                f"{extra:.0f} ms more than on a new one ({report.ms(fresh)}): the "
                "sandbox server stalls every reused connection (Nagle + delayed ACK: it writes "
                "headers and body apart without TCP_NODELAY). Every request after a "
                "connection's first pays it, ours and the SDK's alike."
            )
        return fresh, kept

    def _samples(self) -> int:
        return max(self.runs, 5) * 2

    def http(self) -> Any:
        """Django's test Client, signed in as a superuser of the temp database."""
        if self._http is None:
            from django.contrib.auth import get_user_model
            from django.test import Client

            user_model = get_user_model()
            user = user_model.objects.filter(username="bench").first()
            user = user or user_model.objects.create_superuser("bench", "bench@example.com", None)
            self._http = (Client(), user)
        return self._http


def sample(
    runs: int, action: Callable[[], Any], *, before: Callable[[], None] | None = None
) -> list[float]:
    """Seconds per run of `action` after one untimed warm-up; `before` is untimed too."""
    times = []
    for index in range(runs + 1):
        if before is not None:
            before()
        seconds, _ = timed(action)
        if index:
            times.append(seconds)
    return times


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.method} answered {response.status_code}")
    return response


# --- (a) the busiest category's entries: ours vs the official SDK -------------------------


def measure_entries(bench: Bench) -> list[Row]:
    from categories.asana.client import ENTRY_FIELDS
    from categories.reports.entries import entries_for_category

    start, end = BENCH_TODAY - dt.timedelta(days=FULL_HISTORY_DAYS - 1), BENCH_TODAY
    found: dict[str, list[str]] = {}

    def ours() -> None:
        entries = entries_for_category(category_gid=ENGINEERING, start=start, end=end).entries
        found["ours"] = [entry.gid for entry in entries]

    ours_times = sample(bench.runs, ours, before=make_cold)
    _count_traffic(bench, "(a) our entries_report, 730 days", ours, before=make_cold)
    measure = f"(a) Engineering, 730 days ({len(found['ours'])} entries)"
    ours_median = report.median(ours_times)
    if not sdk_available():
        bench.note(f"(a) {INSTALL_HINT}")
        return [Row(measure, report.ms(ours_median), "SDK missing", "n/a", "≤ 0.25x SDK", None)]
    sdk = SdkEntries(base_url=bench.env.base_url, token=TOKEN)

    def theirs() -> None:
        found["sdk"] = sdk.entry_gids(ENGINEERING, start=start, end=end, opt_fields=ENTRY_FIELDS)

    sdk_median = report.median(sample(bench.runs, theirs))
    same = _same_entries(found["ours"], found["sdk"])
    met = same and ours_median <= 0.25 * sdk_median
    comparison = report.ratio(ours_median, sdk_median) + ("" if same else " MISMATCH")
    return [
        Row(measure, report.ms(ours_median), report.ms(sdk_median), comparison, "≤ 0.25x SDK", met)
    ]


def _same_entries(ours: list[str], sdk: list[str]) -> bool:
    if len(ours) == len(sdk) and set(ours) == set(sdk):
        return True
    only_ours, only_sdk = len(set(ours) - set(sdk)), len(set(sdk) - set(ours))
    banner = "!" * 78
    sys.stderr.write(
        f"{banner}\n!!! MISMATCH in (a): ours returned {len(ours)} entries, the SDK {len(sdk)};"
        f" {only_ours} gids only in ours, {only_sdk} only in the SDK's\n{banner}\n"
    )
    return False


def _count_traffic(
    bench: Bench, label: str, action: Callable[[], Any], *, before: Callable[[], None] | None
) -> None:
    """One more run, counted: how many upstream requests, how many at once."""
    if before is not None:
        before()
    with bench.counter.window() as traffic:
        seconds, _ = timed(action)
    bench.traffic_note(label, traffic, seconds)


# --- (b) the two screens end to end vs one bare round trip --------------------------------


def measure_pages(bench: Bench) -> list[Row]:
    start = BENCH_TODAY - dt.timedelta(days=PAGE_DAYS - 1)
    entries_path = (
        f"/categories/{ENGINEERING}/entries/?range=custom"
        f"&start={start.isoformat()}&end={BENCH_TODAY.isoformat()}"
    )
    pages = (("(b) categories screen /", "/"), ("(b) entries screen, 30 days", entries_path))
    rows: list[Row] = []
    for label, path in pages:
        rows.extend(_page_rows(bench, label, path))
    return rows


def _page_rows(bench: Bench, label: str, path: str) -> list[Row]:
    """Cold cache as a running dashboard meets it (its connections to Asana kept alive),
    which the target is about; cold cache on new connections too (the first pages after a
    restart), against a round trip that opens one as well; and warm."""
    client, user = bench.http()

    def get() -> None:
        _ok(client.get(path))

    def cold_state(*, new_connections: bool) -> Callable[[], None]:
        def prepare() -> None:
            make_cold(new_connections=new_connections)
            client.force_login(user)  # a cleared cache may hold the session too

        return prepare

    rows = []
    for new_connections, suffix in ((False, "cold cache"), (True, "cold cache, new connections")):
        before = cold_state(new_connections=new_connections)
        cold = report.median(sample(bench.runs, get, before=before))
        _count_traffic(bench, f"{label}, {suffix}", get, before=before)
        round_trip = bench.round_trip(new_connection=new_connections)
        rows.append(
            _page_row(
                f"{label}, {suffix}",
                cold,
                round_trip,
                target=not new_connections,
                new_connection=new_connections,
            )
        )
    warm = report.median(sample(bench.runs, get))
    _count_traffic(bench, f"{label}, warm", get, before=None)
    rows.append(
        _page_row(f"{label}, warm", warm, bench.round_trip(new_connection=False), target=False)
    )
    return rows


def _page_row(
    label: str, page: float, round_trip: float, *, target: bool, new_connection: bool = False
) -> Row:
    return Row(
        measure=label,
        ours=report.ms(page),
        reference=f"{report.ms(round_trip)} (1 RT{', new conn.' if new_connection else ''})",
        comparison=report.signed_ms(page - round_trip),
        target="≤ 1 RT + 25 ms" if target else "-",
        met=report.page_within(page, round_trip) if target else None,
    )


# --- (c) the quarter's overview over all categories, cold and warm ------------------------


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    next_start = (start + dt.timedelta(days=95)).replace(day=1)
    return start, next_start - dt.timedelta(days=1)


def measure_overview(bench: Bench) -> list[Row]:
    """The overview as a browser loads it: the page (its frame names the categories), then
    the section with the hours that HTMX asks for as soon as the frame shows."""
    start, end = quarter_of(BENCH_TODAY)
    client, user = bench.http()
    client.force_login(user)
    url = f"/overview/?range=custom&start={start.isoformat()}&end={end.isoformat()}"
    section_url = _lazy_section_url(_ok(client.get(url)).content.decode())
    bench.note(f"(c) overview {start}..{end}: GET {url}, then its section GET {section_url}")

    def load() -> None:
        _ok(client.get(url))
        _ok(client.get(section_url, headers=SECTION_HEADERS))

    def cold_state() -> None:
        make_cold(new_connections=False)
        client.force_login(user)

    cold_times, warm_times = [], []
    for index in range(bench.runs + 1):
        cold_state()
        cold, _ = timed(load)
        warm, _ = timed(load)
        if index:
            cold_times.append(cold)
            warm_times.append(warm)
    _count_traffic(bench, "(c) overview, cold cache", load, before=cold_state)
    _count_traffic(bench, "(c) overview, warm", load, before=None)
    round_trip = bench.round_trip(new_connection=False)
    cold, warm = report.median(cold_times), report.median(warm_times)
    reference = f"{report.ms(round_trip)} (1 RT)"
    return [
        Row(
            "(c) overview, quarter, cold cache",
            report.ms(cold),
            reference,
            f"{cold / round_trip:.1f} RT",
            "-",
            None,
        ),
        Row(
            "(c) overview, quarter, warm",
            report.ms(warm),
            reference,
            f"{warm / round_trip:.1f} RT",
            "< 50 ms",
            warm < 0.050,
        ),
    ]


# What htmx sends for the frame's `hx-get ... hx-trigger="load"` section.
SECTION_HEADERS = {"HX-Request": "true", "HX-Target": "overview-results"}


def _lazy_section_url(frame: str) -> str:
    found = re.search(r'id="overview-results"[^>]*?hx-get="([^"]+)"', frame, re.DOTALL)
    if found is None:
        raise RuntimeError("the overview frame has no lazy section (#overview-results hx-get)")
    return html.unescape(found.group(1))


# --- (d) CSV export memory ----------------------------------------------------------------


def measure_export(bench: Bench) -> list[Row]:
    small, large = EXPORT_SIZES
    peaks: dict[int, list[float]] = {small: [], large: []}
    for _ in range(bench.runs):
        for count in EXPORT_SIZES:
            peak, _chars = export_peak_bytes(count, last_day=BENCH_TODAY)
            peaks[count].append(peak)
    small_peak, large_peak = report.median(peaks[small]), report.median(peaks[large])
    return [
        Row(
            measure=f"(d) CSV export peak memory, {large:,} vs {small:,} entries",
            ours=report.size(large_peak),
            reference=report.size(small_peak),
            comparison=report.ratio(large_peak, small_peak),
            target="flat (≤ 1.25x)",
            met=report.flat_memory(small_peak, large_peak),
        )
    ]


# --- (e) the CSV download a manager clicks, through Django: ours vs the SDK's fetch ------


def measure_download(bench: Bench) -> list[Row]:
    """The busiest category's whole history as the CSV file, read to its last byte through
    the dashboard's view, against the SDK merely fetching the same entries."""
    from categories.asana.client import ENTRY_FIELDS

    start, end = BENCH_TODAY - dt.timedelta(days=FULL_HISTORY_DAYS - 1), BENCH_TODAY
    path = (
        f"/categories/{ENGINEERING}/export/entries.csv?range=custom"
        f"&start={start.isoformat()}&end={end.isoformat()}"
    )
    client, user = bench.http()
    lines: dict[str, int] = {}

    def download() -> None:
        response = _ok(client.get(path))
        lines["csv"] = sum(chunk.count("\n") for chunk in _text_chunks(response))

    def cold() -> None:
        make_cold(new_connections=False)
        client.force_login(user)

    ours = report.median(sample(bench.runs, download, before=cold))
    _count_traffic(bench, "(e) CSV download, 730 days", download, before=cold)
    entries = lines["csv"] - 1  # the header line
    measure = f"(e) CSV download, Engineering 730 days ({entries} entries)"
    if not sdk_available():
        bench.note(f"(e) {INSTALL_HINT}")
        return [Row(measure, report.ms(ours), "SDK missing", "n/a", "≤ 0.25x SDK", None)]
    sdk = SdkEntries(base_url=bench.env.base_url, token=TOKEN)
    found: dict[str, int] = {}

    def theirs() -> None:
        gids = sdk.entry_gids(ENGINEERING, start=start, end=end, opt_fields=ENTRY_FIELDS)
        found["sdk"] = len(gids)

    reference = report.median(sample(bench.runs, theirs))
    same = found["sdk"] == entries
    comparison = report.ratio(ours, reference) + ("" if same else " MISMATCH")
    met = same and ours <= 0.25 * reference
    return [Row(measure, report.ms(ours), report.ms(reference), comparison, "≤ 0.25x SDK", met)]


def _text_chunks(response: Any) -> Any:
    for chunk in response.streaming_content:
        yield chunk.decode("utf-8") if isinstance(chunk, bytes) else chunk


# --- (f) what the overview costs: the entries, not the categories -------------------------

SMALL_WORKSPACE = "1201000000000001"
WORKSPACES = (("15 categories", SMALL_WORKSPACE), ("137 categories", "1201000000000002"))
# Targets: (requests, round trips) at most, per range.
SWEEP_TARGETS = {"quarter": (20, 8), "year": (45, 15)}


def measure_overview_cost(bench: Bench) -> list[Row]:
    """The overview's hours section, cache cold, on the small and the large workspace, for
    a quarter and a year: requests sent to Asana and wall time in round trips."""
    client, user = bench.http()
    round_trip = bench.round_trip(new_connection=False)
    rows: list[Row] = []
    counts: dict[str, dict[str, int]] = {}
    twin = ("137 categories, the 15's entries", make_twin(SMALL_WORKSPACE))
    for label, workspace in (*WORKSPACES, twin):
        client.force_login(user)
        _ok_redirect(client.post("/workspace/", {"workspace": workspace}))
        for span, days in (("quarter", 91), ("year", 365)):
            start = BENCH_TODAY - dt.timedelta(days=days - 1)
            url = f"/overview/?range=custom&start={start.isoformat()}&end={BENCH_TODAY.isoformat()}"

            def load(url: str = url) -> None:
                _ok(client.get(url, headers=SECTION_HEADERS))

            def cold(workspace: str = workspace) -> None:
                make_cold(new_connections=False)
                client.force_login(user)
                client.post("/workspace/", {"workspace": workspace})

            seconds = report.median(sample(bench.runs, load, before=cold))
            cold()
            with bench.counter.window() as traffic:
                load()
            counts.setdefault(span, {})[label] = traffic.requests
            most_requests, most_trips = SWEEP_TARGETS[span]
            trips = seconds / round_trip
            rows.append(
                Row(
                    f"(f) overview cold, {span}, {label}",
                    f"{report.ms(seconds)}, {traffic.requests} requests",
                    f"{report.ms(round_trip)} (1 RT)",
                    f"{trips:.1f} RT",
                    f"≤ {most_requests} requests, ≤ {most_trips} RT",
                    traffic.requests <= most_requests and trips <= most_trips,
                )
            )
    small, large = WORKSPACES[0][0], twin[0]
    rows += [_requests_compared(span, found[small], found[large]) for span, found in counts.items()]
    return rows


# Issue 14: the cost follows the entries, not the categories.
MOST_REQUESTS_APART = 0.10


def _requests_compared(span: str, small: int, large: int) -> Row:
    """The twin's requests against the small workspace's: the same entries, 137 categories
    against 15."""
    apart = abs(large - small) / max(small, large, 1)
    return Row(
        f"(f) requests, {span}: 137 vs 15 categories, same entries",
        f"{large} vs {small} requests",
        "",
        f"{apart:.0%} apart",
        f"within {MOST_REQUESTS_APART:.0%}",
        apart <= MOST_REQUESTS_APART,
    )


def _ok_redirect(response: Any) -> Any:
    if response.status_code not in (200, 302):
        raise RuntimeError(f"answered {response.status_code}")
    return response


MEASURES: dict[str, Callable[[Bench], list[Row]]] = {
    "a": measure_entries,
    "b": measure_pages,
    "c": measure_overview,
    "d": measure_export,
    "e": measure_download,
    "f": measure_overview_cost,
    "g": measure_merge,
}
