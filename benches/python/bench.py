"""Benchmarks of the Python face against numpy in the same process (a script, not a test).

    .venv/bin/python benches/python/bench.py [--rows 10000000] [--practices 1000000]

1. classify a 10-million-row pyarrow table and polars frame (`reasons=False`: tiers and
   band status), beside numpy `np.select` over the same columns (populations and
   capability bits already parsed, which favours numpy);
2. allocate a budget over 1 million practices (4 ACOs, 20 hubs), beside numpy's float
   version of the same cascade with largest-remainder rounding per parent.

Prints each time and the ratio numpy / localcare (above 1: localcare is faster).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

import localcare

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from record import record  # noqa: E402


def best(f: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


CAPS = [
    "",
    "enhanced_in_hours;extended_hours",
    "enhanced_in_hours;extended_hours;mdt;mental_health;seven_day",
    "mdt;mental_health;seven_day;population_accountability;capitated_budget",
]


def bench_classify(n: int) -> None:
    rng = np.random.default_rng(7)
    pops = rng.integers(0, 900_000, n, dtype=np.int64)
    which = rng.integers(0, len(CAPS), n)
    caps = pa.DictionaryArray.from_arrays(pa.array(which.astype(np.int32)), pa.array(CAPS))
    table = pa.table({"population": pops, "capabilities": caps})
    frame = pl.from_arrow(table)
    rs = localcare.Ruleset.builtin()

    # numpy: the same rules, as np.select over parsed columns.
    bit = {c: i for i, c in enumerate(rs.capabilities)}
    masks = np.array(
        [sum(1 << bit[c] for c in s.split(";") if c) for s in CAPS], dtype=np.uint64
    )[which]
    tiers = rs.tiers

    def req(t: dict[str, Any]) -> np.uint64:
        return np.uint64(sum(1 << bit[c] for c in t["requires"]))

    def numpy_classify() -> np.ndarray:
        conds = []
        for t in reversed(tiers[1:]):
            ok = (pops >= t["min"]) & ((masks & req(t)) == req(t))
            if t["max"] is not None:
                ok &= pops <= t["max"]
            conds.append(ok)
        tier = np.select(conds, [t["id"] for t in reversed(tiers[1:])], tiers[0]["id"])
        inside = sum(
            ((pops >= t["min"]) & (pops <= (t["max"] or np.iinfo(np.int64).max))).astype(np.int8)
            for t in tiers[1:]
        )
        lowest = min(t["min"] for t in tiers[1:])
        band = np.select([inside >= 2, (inside == 0) & (pops >= lowest)], ["overlap", "gap"], "in_band")
        return np.stack([tier, band])

    t_np, ref = best(numpy_classify)
    t_pa, out = best(lambda: localcare.classify(table, rs, reasons=False))
    t_pl, out_pl = best(lambda: localcare.classify(frame, rs, reasons=False))
    assert out.column("tier").to_numpy(zero_copy_only=False).tolist()[:1000] == ref[0][:1000].tolist()
    assert out_pl["band_status"].head(1000).to_list() == ref[1][:1000].tolist()
    print(f"classify {n:,} rows: numpy np.select {t_np:.3f}s")
    print(f"  localcare, pyarrow table: {t_pa:.3f}s  (numpy / localcare = {t_np / t_pa:.2f}x)")
    print(f"  localcare, polars frame:  {t_pl:.3f}s  (numpy / localcare = {t_np / t_pl:.2f}x)")
    numpy_ref = f"numpy np.select on parsed columns, {n:,} rows"
    record("py_classify_pyarrow", t_pa, numpy_ref, t_np, rows=n)
    record("py_classify_polars", t_pl, numpy_ref, t_np, rows=n)


def footprint(practices: int) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    acos, hubs_per_aco = 4, 5
    hubs = acos * hubs_per_aco
    rng = np.random.default_rng(11)
    # About 2 million people in all: 400k-800k per ACO, 50k-200k per hub.
    pops = rng.integers(1, 4, practices, dtype=np.int64)
    hub_of = np.arange(practices) % hubs
    ids = [f"A{a}" for a in range(acos)] + [f"H{h:02d}" for h in range(hubs)]
    parents: list[str | None] = [None] * acos + [f"A{h // hubs_per_aco}" for h in range(hubs)]
    tiers = ["aco"] * acos + ["mcp_hub"] * hubs
    hub_caps = "mdt;mental_health;seven_day;enhanced_in_hours;extended_hours"
    caps = ["population_accountability;capitated_budget"] * acos + [hub_caps] * hubs
    p_ids = [f"P{i:07d}" for i in range(practices)]
    table = pa.table(
        {
            "unit_id": ids + p_ids,
            "parent_id": parents + [f"H{h:02d}" for h in hub_of],
            "declared_tier": tiers + ["gp_practice"] * practices,
            "population": pa.array([None] * (acos + hubs) + pops.tolist(), pa.int64()),
            "capabilities": caps + [""] * practices,
        }
    )
    return table, pops, hub_of


def largest_remainder(amounts: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Splits amounts[g] over members of each group g by weight, floats then largest remainder."""
    totals = np.bincount(group, weights=weights)
    exact = amounts[group] * weights / totals[group]
    floor = np.floor(exact)
    frac = exact - floor
    left = amounts - np.bincount(group, weights=floor, minlength=len(amounts))
    order = np.lexsort((-frac, group))
    starts = np.searchsorted(group[order], np.arange(len(amounts)))
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - starts[group[order]]
    return (floor + (rank < left[group])).astype(np.int64)


def bench_allocate(practices: int) -> None:
    table, pops, hub_of = footprint(practices)
    budget = 617_400_000_00
    rs = localcare.Ruleset.builtin()
    share = float(json.loads(rs.to_json())["allocation"]["aco_commissioned_share"])

    def numpy_allocate() -> np.ndarray:
        w = pops.astype(np.float64)
        hub_w = np.bincount(hub_of, weights=w)
        aco_of_hub = np.arange(len(hub_w)) // 5
        pool = np.array([np.floor(budget * share)])
        aco = largest_remainder(pool, np.zeros(4, dtype=np.int64), np.bincount(aco_of_hub, weights=hub_w))
        hub = largest_remainder(aco.astype(np.float64), aco_of_hub, hub_w)
        return largest_remainder(hub.astype(np.float64), hub_of, w)

    t_np, ref = best(numpy_allocate)
    t_all, out = best(lambda: localcare.allocate(table, budget, ruleset=rs), repeat=2)
    prepared = localcare.prepare(table, ruleset=rs)
    t_prep, out2 = best(lambda: prepared.allocate(budget))
    assert out.equals(out2)
    got = dict(zip(out2.column("unit_id").to_pylist(), out2.column("allocation_pence").to_pylist()))
    exact = np.array([got[f"P{i:07d}"] for i in range(practices)])
    differ = int(np.count_nonzero(exact != ref))
    print(f"allocate over {practices:,} practices: numpy float + largest remainder {t_np:.3f}s")
    print(f"  localcare, allocate from the table (read, validate, allocate): {t_all:.3f}s  (ratio {t_np / t_all:.2f}x)")
    print(f"  localcare, prepared footprint, one scenario: {t_prep:.3f}s  (ratio {t_np / t_prep:.2f}x)")
    print(f"  practices where numpy's float result differs from the exact one: {differ:,}")
    numpy_ref = f"numpy float cascade + largest remainder, {practices:,} practices"
    record("py_allocate_one_call", t_all, numpy_ref, t_np, practices=practices)
    record("py_allocate_prepared", t_prep, numpy_ref, t_np, practices=practices)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--practices", type=int, default=1_000_000)
    a = ap.parse_args()
    bench_classify(a.rows)
    bench_allocate(a.practices)


if __name__ == "__main__":
    main()
