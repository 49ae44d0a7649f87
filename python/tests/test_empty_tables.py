"""Results with no rows are tables of the right columns (the same names, in the same
order, as a result with rows), never an error: classification of no units, settlement
of none, an appraisal with nothing evaluated, a sweep of no scenarios. The CLI's
writers are checked for the same in crates/localcare-cli/tests/empty_tables.rs."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

import localcare
from conftest import columns, load, vector_files

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = load(ROOT / "tests/vectors/columns.json")


def test_classification_and_settlement_of_nothing() -> None:
    units = pa.table({"unit_id": pa.array([], pa.string()), "population": pa.array([], pa.int64())})
    got = localcare.classify(units)
    assert got.num_rows == 0
    assert got.column_names == COLUMNS["classification"]["python"]
    results = pa.table(
        {
            "unit_id": pa.array([], pa.string()),
            "benchmark_pence": pa.array([], pa.int64()),
            "actual_pence": pa.array([], pa.int64()),
            "assigned_population": pa.array([], pa.int64()),
            "quality": pa.array([], pa.string()),
        }
    )
    got = localcare.settle(results)
    assert got.num_rows == 0
    assert got.column_names == COLUMNS["settlement"]["python"]


def test_an_appraisal_with_nothing_evaluated() -> None:
    v = load(ROOT / "tests/vectors/appraise/hand-worked.json")
    rs = localcare.Ruleset.builtin(v["ruleset"]) if "ruleset" in v else localcare.Ruleset.from_toml(v["ruleset_toml"])
    sites = {
        "site_id": [s["site_id"] for s in v["sites"]],
        "admissions": [s["admissions"] for s in v["sites"]],
        "capabilities": [";".join(s.get("capabilities") or []) for s in v["sites"]],
        "thrombolysed_60min": [str(s["thrombolysed_60min"]) for s in v["sites"]],
    }
    zones = {k: [z.get(k) for z in v["zones"]] for k in ("zone_id", "strokes", "population")}
    travel = {k: [t[k] for t in v["travel"]] for k in ("zone_id", "site_id", "minutes")}
    a = localcare.appraise(pa.table(sites), pa.table(zones), pa.table(travel), ruleset=rs, sites_per_option=(1, 1))
    assert a.evaluation.num_rows == 0
    assert a.evaluation.column_names == COLUMNS["evaluation"]["python"]


def test_a_sweep_of_no_scenarios() -> None:
    v = load(vector_files("sweep")[0])
    fp = columns(v["footprint"], ["unit_id", "parent_id", "declared_tier", "population", "capabilities"])
    rs = localcare.Ruleset.builtin(v["ruleset"]) if "ruleset" in v else localcare.Ruleset.from_toml(v["ruleset_toml"])
    prepared = localcare.prepare(pa.table(fp), None, rs)
    one = prepared.sweep(pa.table({"scenario": ["s"], "budget_pence": [1000]}))
    none = prepared.sweep(pa.table({"scenario": pa.array([], pa.string()), "budget_pence": pa.array([], pa.int64())}))
    assert none.num_rows == 0
    assert none.column_names == one.column_names
