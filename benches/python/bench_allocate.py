"""Allocation and sweep benchmarks of the Python face, each beside a plain reference in
the same process (a script, not a test). Kept apart from bench.py's classify part.

    .venv/bin/python benches/python/bench_allocate.py [--practices 1000000] [--scenarios 10000]

1. allocate over 1 million practices: bench.py's `bench_allocate` (numpy float cascade
   with largest remainder as the reference);
2. the SYNTHETIC England-shaped footprint (examples/england/generate.py: 8,670 units,
   6,528 practices, 60.3 million people), whole path: read the CSV (pyarrow), validate,
   allocate, write the allocation CSV (pyarrow), beside reading and writing the same
   footprint file with pyarrow alone;
3. a sweep of N budgets on it, as numpy matrices and as the long table, beside numpy's
   float cascade of the same N budgets down the same tree (vectorised over scenarios).

Prints times and ratios reference / localcare (above 1: localcare is faster).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

import localcare

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
from bench import bench_allocate, best  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from record import record  # noqa: E402


def england(tmp: Path) -> Path:
    spec = importlib.util.spec_from_file_location("england", ROOT / "examples/england/generate.py")
    gen = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(gen)  # type: ignore[union-attr]
    path = tmp / "england.csv"
    gen.write_footprint(path, gen.units())
    return path


def bench_whole_path(path: Path, tmp: Path) -> None:
    budget = 9_000_000_000_000
    rs = localcare.Ruleset.builtin("kent-medway-2017")
    opts = pacsv.ConvertOptions(column_types={"population": pa.int64()})

    def reference() -> None:
        t = pacsv.read_csv(path, convert_options=opts)
        pacsv.write_csv(t, tmp / "copy.csv")

    def whole() -> None:
        t = pacsv.read_csv(path, convert_options=opts)
        report = localcare.validate(t, rs)
        assert not report.has_errors
        out = localcare.allocate(t, budget, ruleset=rs)
        pacsv.write_csv(out, tmp / "allocation.csv")

    t_ref, _ = best(reference, repeat=5)
    t_lc, _ = best(whole, repeat=5)
    record("py_england_whole_path", t_lc, "pyarrow read + write of the same file", t_ref)
    print(f"England-shaped footprint, read + validate + allocate + write: {t_lc * 1e3:.1f} ms;"
          f" pyarrow read + write of the same file {t_ref * 1e3:.1f} ms (ratio {t_ref / t_lc:.2f}x)")


def numpy_sweep(path: Path, budgets: np.ndarray) -> np.ndarray:
    """Float cascade of every budget down the tree at once (scenarios x units)."""
    t = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={"population": pa.int64()}))
    ids = t.column("unit_id").to_pylist()
    parent = t.column("parent_id").to_pylist()
    pop = np.nan_to_num(t.column("population").to_numpy(zero_copy_only=False).astype(np.float64))
    index = {u: i for i, u in enumerate(ids)}
    par = np.array([index[p] if p else -1 for p in parent])
    # Weights bottom up (parents come before children in the file).
    w = pop.copy()
    for i in range(len(ids) - 1, -1, -1):
        if par[i] >= 0:
            w[par[i]] += w[i]
    levels: list[np.ndarray] = []
    depth = np.zeros(len(ids), dtype=np.int64)
    for i in range(len(ids)):
        depth[i] = 0 if par[i] < 0 else depth[par[i]] + 1
    levels = [np.flatnonzero(depth == d) for d in range(depth.max() + 1)]
    share = np.zeros(len(ids))
    for lv in levels:
        p = par[lv]
        tot = np.bincount(np.where(p < 0, 0, p), weights=w[lv], minlength=len(ids))
        share[lv] = w[lv] / np.where(p < 0, w[lv].sum(), tot[np.where(p < 0, 0, p)])

    def run() -> np.ndarray:
        out = np.zeros((len(budgets), len(ids)))
        pool = np.floor(budgets * 0.8)
        for lv in levels:
            p = par[lv]
            above = pool[:, None] if p[0] < 0 else out[:, p]
            out[:, lv] = np.floor(above * share[lv])  # (no largest remainder: favours numpy)
        return out.astype(np.int64)

    return run  # type: ignore[return-value]


def bench_sweep(path: Path, n: int) -> None:
    rs = localcare.Ruleset.builtin("kent-medway-2017")
    t = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={"population": pa.int64()}))
    prepared = localcare.prepare(t, ruleset=rs)
    budgets = 9_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000_000
    scenarios = pa.table({"scenario": [f"S{i:05d}" for i in range(n)], "budget_pence": budgets})
    ref = numpy_sweep(path, budgets.astype(np.float64))
    t_np, _ = best(ref, repeat=3)  # type: ignore[arg-type]
    t_m, m = best(lambda: prepared.sweep(scenarios, matrix=True), repeat=3)
    t_t, tab = best(lambda: prepared.sweep(scenarios), repeat=2)
    cells = m.allocation_pence.size
    assert tab.num_rows == cells
    numpy_ref = f"numpy float cascade of the same {n:,} budgets (inexact)"
    record("py_sweep_matrix", t_m, numpy_ref, t_np, scenarios=n)
    print(f"sweep of {n:,} scenarios x {len(m.row_ids):,} rows = {cells:,} cells on the England shape:")
    print(f"  numpy float cascade (no largest remainder, inexact) {t_np:.3f}s")
    print(f"  localcare sweep, numpy matrices: {t_m:.3f}s (ratio {t_np / t_m:.2f}x; {cells / t_m / 1e6:.0f} M cells/s)")
    print(f"  localcare sweep, long table:     {t_t:.3f}s (ratio {t_np / t_t:.2f}x; {cells / t_t / 1e6:.0f} M rows/s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--practices", type=int, default=1_000_000)
    ap.add_argument("--scenarios", type=int, default=10_000)
    ap.add_argument("--skip-allocate", action="store_true", help="leave out part 1 (bench.py runs it too)")
    a = ap.parse_args()
    if not a.skip_allocate:
        bench_allocate(a.practices)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = england(tmp)
        bench_whole_path(path, tmp)
        bench_sweep(path, a.scenarios)


if __name__ == "__main__":
    main()
