"""The four measures. Each returns table rows; notes (traffic, paths taken) go to `Bench`.

Everything goes through the public service functions and views, so the figures follow
whatever the code does when it runs (concurrency, limiter, caches).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import report
from .environment import BENCH_TODAY, ENGINEERING, NORTHWIND, TOKEN, BenchEnvironment
from .memory import export_peak_bytes
from .probes import RequestCounter, Traffic, describe_traffic, make_cold, timed
from .report import Row
from .sdk import INSTALL_HINT, SdkEntries, sdk_available

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
    _round_trip: float | None = None
    _http: Any = None

    def note(self, text: str) -> None:
        self.notes.append(text)

    def traffic_note(self, label: str, traffic: Traffic, seconds: float) -> None:
        latency = self.env.latency_ms
        self.note(f"{label}: {describe_traffic(traffic, seconds=seconds, latency_ms=latency)}")

    def round_trip(self) -> float:
        """One upstream round trip: the median of a plain `requests.get` of `/users/me`
        (a new connection each time, as the function opens one)."""
        if self._round_trip is None:
            import requests

            url = self.env.base_url + "/users/me"
            headers = {"Authorization": f"Bearer {TOKEN}"}
            times = sample(
                self._samples(), lambda: _ok(requests.get(url, headers=headers, timeout=30))
            )
            self._round_trip = report.median(times)
            self._check_kept_alive(url, headers)
        return self._round_trip

    def _samples(self) -> int:
        return max(self.runs, 5) * 2

    def _check_kept_alive(self, url: str, headers: dict[str, str]) -> None:
        """Say so when a request on a reused connection costs much more than on a new one."""
        import requests

        with requests.Session() as session:
            session.headers.update(headers)
            kept = report.median(sample(self._samples(), lambda: _ok(session.get(url, timeout=30))))
        assert self._round_trip is not None
        extra = (kept - self._round_trip) * 1000
        if extra > STALL_SUSPECT_MS:
            self.note(
                f"WARNING: a round trip on a kept-alive connection takes {report.ms(kept)}, "
                f"{extra:.0f} ms more than on a new one ({report.ms(self._round_trip)}): the "
                "sandbox server stalls every reused connection (Nagle + delayed ACK: it writes "
                "headers and body apart without TCP_NODELAY). Every request after a "
                "connection's first pays it, ours and the SDK's alike."
            )

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
    from categories import services
    from categories.asana.client import ENTRY_FIELDS

    start, end = BENCH_TODAY - dt.timedelta(days=FULL_HISTORY_DAYS - 1), BENCH_TODAY
    found: dict[str, list[str]] = {}

    def ours() -> None:
        entries = services.entries_report(category_gid=ENGINEERING, start=start, end=end).entries
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
    client, user = bench.http()
    round_trip = bench.round_trip()

    def cold_state() -> None:
        make_cold()
        client.force_login(user)  # a cleared cache may hold the session too

    def get() -> None:
        _ok(client.get(path))

    cold = report.median(sample(bench.runs, get, before=cold_state))
    _count_traffic(bench, f"{label}, cold", get, before=cold_state)
    warm = report.median(sample(bench.runs, get))
    _count_traffic(bench, f"{label}, warm", get, before=None)
    return [
        _page_row(f"{label}, cold", cold, round_trip, target=True),
        _page_row(f"{label}, warm", warm, round_trip, target=False),
    ]


def _page_row(label: str, page: float, round_trip: float, *, target: bool) -> Row:
    return Row(
        measure=label,
        ours=report.ms(page),
        reference=f"{report.ms(round_trip)} (1 RT)",
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


def overview_view_path() -> str | None:
    """The overview screen's URL if the project has one yet."""
    from django.urls import Resolver404, resolve

    try:
        resolve("/overview/")
    except Resolver404:
        return None
    return "/overview/"


def measure_overview(bench: Bench) -> list[Row]:
    start, end = quarter_of(BENCH_TODAY)
    with ThreadPoolExecutor(16) as executor:
        action, how = _overview_action(bench, start, end, executor)
        bench.note(f"(c) overview {start}..{end} measured through {how}")
        cold_times, warm_times = [], []
        for index in range(bench.runs + 1):
            _cold_state(bench)
            cold, _ = timed(action)
            warm, _ = timed(action)
            if index:
                cold_times.append(cold)
                warm_times.append(warm)
        _count_traffic(bench, "(c) overview, cold", action, before=lambda: _cold_state(bench))
        _count_traffic(bench, "(c) overview, warm", action, before=None)
    round_trip = bench.round_trip()
    cold, warm = report.median(cold_times), report.median(warm_times)
    reference = f"{report.ms(round_trip)} (1 RT)"
    return [
        Row(
            "(c) overview, quarter, cold",
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


def _cold_state(bench: Bench) -> None:
    make_cold()
    client, user = bench.http()
    client.force_login(user)


def _overview_action(
    bench: Bench, start: dt.date, end: dt.date, executor: ThreadPoolExecutor
) -> tuple[Callable[[], Any], str]:
    path = overview_view_path()
    if path is not None:
        client, user = bench.http()
        client.force_login(user)
        url = f"{path}?range=custom&start={start.isoformat()}&end={end.isoformat()}"
        if client.get(url).status_code == 200:
            return (lambda: _ok(client.get(url))), f"the view GET {url}"
        bench.note(f"(c) GET {url} did not answer 200: using the service instead")
    from categories.connection import asana_client
    from categories.overview import overview_report

    def service() -> Any:
        return overview_report(
            client=asana_client(),
            workspace_gid=NORTHWIND,
            start=start,
            end=end,
            include_archived=True,
            executor=executor,
        )

    return service, "categories.overview.overview_report (no cache of its own), 16 threads"


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


MEASURES: dict[str, Callable[[Bench], list[Row]]] = {
    "a": measure_entries,
    "b": measure_pages,
    "c": measure_overview,
    "d": measure_export,
}
