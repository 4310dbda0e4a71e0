"""Pure helpers: medians, units, targets and the table (plain text or Markdown)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

HEADERS = ("measure", "ours", "reference", "ratio/overhead", "target", "met?")


@dataclass(frozen=True)
class Row:
    """One line of the table. `met` is None where a figure has no target."""

    measure: str
    ours: str
    reference: str
    comparison: str
    target: str
    met: bool | None

    def cells(self) -> tuple[str, ...]:
        return (
            self.measure,
            self.ours,
            self.reference,
            self.comparison,
            self.target,
            met_text(self.met),
        )


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


def met_text(met: bool | None) -> str:
    if met is None:
        return "-"
    return "yes" if met else "no"


def ms(seconds: float) -> str:
    """A duration in milliseconds: one decimal under 10 ms, whole ms above."""
    value = seconds * 1000
    return f"{value:.1f} ms" if abs(value) < 10 else f"{value:.0f} ms"


def signed_ms(seconds: float) -> str:
    return ("+" if seconds >= 0 else "-") + ms(abs(seconds))


def ratio(ours: float, reference: float) -> str:
    return f"{ours / reference:.2f}x" if reference > 0 else "n/a"


def size(num_bytes: float) -> str:
    for unit, scale in (("MiB", 1024**2), ("KiB", 1024)):
        if num_bytes >= scale:
            return f"{num_bytes / scale:.1f} {unit}"
    return f"{num_bytes:.0f} B"


def flat_memory(small_peak: float, large_peak: float, *, slack_bytes: int = 64 * 1024) -> bool:
    """Whether a peak stayed flat when the input grew (at most 1.25x or a little slack)."""
    return large_peak <= small_peak * 1.25 or large_peak - small_peak <= slack_bytes


def page_within(page: float, round_trip: float, *, allowance: float = 0.025) -> bool:
    """Whether a page cost at most one upstream round trip plus `allowance` seconds."""
    return page <= round_trip + allowance


def render_text(rows: Sequence[Row]) -> str:
    table = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[col]) for line in table) for col in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def render_markdown(rows: Sequence[Row]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join(
        [line(HEADERS), line(["---"] * len(HEADERS)), *(line(r.cells()) for r in rows)]
    )


def missed_lines(rows: Sequence[Row]) -> list[str]:
    return [f"MISSED: {r.measure}: {r.ours} (target {r.target})" for r in rows if r.met is False]


def cpu_model(cpuinfo: str) -> str:
    """The first 'model name' of a /proc/cpuinfo text, else 'unknown CPU'."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in {"model name", "Model", "Hardware"} and value.strip():
            return value.strip()
    return "unknown CPU"


def machine_line(*, today: dt.datetime | None = None) -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = cpu_model(handle.read())
    except OSError:
        cpu = platform.processor() or "unknown CPU"
    when = (today or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.system()} {platform.machine()}), {when}, {load_text()}"
    )


def load_text() -> str:
    """The 1-minute load average: figures from a busy machine are slower and noisier."""
    try:
        return f"load average {os.getloadavg()[0]:.1f}"
    except OSError:
        return "load average unknown"
