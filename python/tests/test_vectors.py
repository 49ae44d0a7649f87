"""Every shared vector in tests/vectors, through Python, with the Rust runner's
expected values (crates/localcare/tests/vectors.rs), penny for penny.

Each vector runs twice: with a dict of columns and with a pyarrow table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import localcare
from conftest import columns, load, ruleset_of, vector_files

KINDS = ["dict", "pyarrow"]


def as_kind(cols: dict[str, list[Any]], kind: str) -> Any:
    if kind == "dict":
        return cols
    return pa.table(cols)


def as_dict(table: Any) -> dict[str, list[Any]]:
    if isinstance(table, dict):
        return table
    return table.to_pydict()  # type: ignore[no-any-return]


def rows_of(table: Any) -> list[dict[str, Any]]:
    d = as_dict(table)
    n = len(next(iter(d.values()))) if d else 0
    return [{k: v[i] for k, v in d.items()} for i in range(n)]


FOOTPRINT = ["unit_id", "parent_id", "declared_tier", "population", "capabilities"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", vector_files("classify"), ids=lambda p: p.stem)
def test_classify(path: Path, kind: str) -> None:
    v = load(path)
    units = as_kind(columns(v["units"], ["unit_id", "population", "capabilities"]), kind)
    got = localcare.classify(units, ruleset_of(v))
    want = v["expected"]
    assert [
        {k: r[k] for k in ("unit_id", "tier", "band_status", "reasons")} for r in rows_of(got)
    ] == want


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", vector_files("validate"), ids=lambda p: p.stem)
def test_validate(path: Path, kind: str) -> None:
    v = load(path)
    fp = as_kind(columns(v["footprint"], FOOTPRINT), kind)
    r = localcare.validate(fp, ruleset_of(v))
    got = {
        "has_errors": r.has_errors,
        "findings": [[c, u] for c, u in r.finding_keys()],
        "aco_count_range": r.aco_count_range,
    }
    assert got == v["expected"], r.to_text()
    findings = as_dict(r.findings)
    assert [[c, u] for c, u in zip(findings["code"], findings["unit_id"])] == v["expected"]["findings"]


ALLOC_COLUMNS = [
    "unit_id",
    "tier",
    "parent_id",
    "weighted_population_micro",
    "target_pence",
    "baseline_pence",
    "allocation_pence",
    "retained_pence",
    "distance_from_target_ppm",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", vector_files("allocate"), ids=lambda p: p.stem)
def test_allocate(path: Path, kind: str) -> None:
    v = load(path)
    fp = as_kind(columns(v["footprint"], FOOTPRINT), kind)
    needs = (
        as_kind(
            columns(
                v["needs"],
                ["unit_id", "need_index", "hi_weighted_population", "market_forces_factor"],
            ),
            kind,
        )
        if v["needs"]
        else None
    )
    baselines = (
        as_kind(columns(v["baselines"], ["unit_id", "baseline_pence"]), kind)
        if v["baselines"]
        else None
    )
    rs = ruleset_of(v)
    if "expected_error" in v:
        with pytest.raises(localcare.Error) as e:
            localcare.allocate(fp, v["budget_pence"], needs=needs, baselines=baselines, ruleset=rs)
        assert v["expected_error"] in str(e.value)
        assert isinstance(e.value, localcare.AllocationError)
        return
    got = localcare.allocate(fp, v["budget_pence"], needs=needs, baselines=baselines, ruleset=rs)
    assert [{k: r[k] for k in ALLOC_COLUMNS} for r in rows_of(got)] == v["expected"]["rows"]
    # The scenario API gives the same answer.
    prepared = localcare.prepare(fp, needs, rs)
    again = prepared.allocate(v["budget_pence"], baselines)
    assert as_dict(again) == as_dict(got)


SETTLE_COLUMNS = [
    "unit_id",
    "savings_pence",
    "minimum_rate_met",
    "quality_gate_passed",
    "amount_before_cap_pence",
    "cap_pence",
    "final_pence",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", vector_files("settle"), ids=lambda p: p.stem)
def test_settle(path: Path, kind: str) -> None:
    v = load(path)
    inputs = as_kind(
        columns(
            v["inputs"],
            ["unit_id", "benchmark_pence", "actual_pence", "assigned_population", "quality"]
            # The revenue column only where a vector gives it (42 CFR 425.605 vectors).
            + (["participant_revenue_pence"] if any("participant_revenue_pence" in r for r in v["inputs"]) else []),
        ),
        kind,
    )
    rs = ruleset_of(v)
    if "expected_error" in v:
        with pytest.raises(localcare.SettlementError) as e:
            localcare.settle(inputs, rs)
        assert v["expected_error"] in str(e.value)
        return
    got = localcare.settle(inputs, rs)
    assert [{k: r[k] for k in SETTLE_COLUMNS} for r in rows_of(got)] == v["expected"]
