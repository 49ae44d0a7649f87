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
        # Every column the vector's rows give (participant_revenue_pence is optional).
        columns(v["inputs"], list(dict.fromkeys(k for row in v["inputs"] for k in row))),
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


PER_HEAD_COLUMNS = [
    "unit_id",
    "per_head_gross_pence",
    "per_head_deduction_pence",
    "per_head_payment_pence",
]


@pytest.mark.parametrize(
    "path",
    [p for p in vector_files("allocate") if {"per_head", "explain"} & set(load(p).get("expected", {}))],
    ids=lambda p: p.stem,
)
def test_allocate_per_head_and_explain(path: Path) -> None:
    """The optional `expected.per_head` and `expected.explain` of allocate vectors."""
    v = load(path)
    fp = columns(v["footprint"], FOOTPRINT)
    needs = (
        columns(v["needs"], ["unit_id", "need_index", "hi_weighted_population", "market_forces_factor"])
        if v["needs"]
        else None
    )
    baselines = columns(v["baselines"], ["unit_id", "baseline_pence"]) if v["baselines"] else None
    rs = ruleset_of(v)
    got = localcare.allocate(fp, v["budget_pence"], needs=needs, baselines=baselines, ruleset=rs)
    if "per_head" in v["expected"]:
        assert [{k: r[k] for k in PER_HEAD_COLUMNS} for r in rows_of(got)] == v["expected"]["per_head"]
    prepared = localcare.prepare(fp, needs, rs)
    for want in v["expected"].get("explain", []):
        e = localcare.explain_allocation(
            fp, v["budget_pence"], want["unit_id"], needs=needs, baselines=baselines, ruleset=rs
        )
        assert {"unit_id": e.unit_id, "allocation_pence": e.allocation_pence, "text": e.text} == want
        again = prepared.explain(v["budget_pence"], want["unit_id"], baselines)
        assert again.text == want["text"]
        assert str(e) == e.text and "<ol>" in e._repr_html_()
        # The steps' numbers add up: each split's floor plus its penny is its result,
        # and the chain of results ends at the allocation.
        carried = None
        for s in e.steps:
            n = {x["name"]: x["value"] for x in s["numbers"]}
            if "floor_pence" in n and "rounding_pence" in n:
                assert int(n["floor_pence"]) + int(n["rounding_pence"]) == int(n["result_pence"])
            if "result_pence" in n:
                carried = int(n["result_pence"])
        assert carried == e.allocation_pence


def test_explain_allocation_of_an_unknown_unit_is_an_allocation_error() -> None:
    import csv

    example = Path(__file__).resolve().parents[2] / "examples" / "kent-medway-synthetic.csv"
    with example.open() as f:
        rows = list(csv.DictReader(f))
    table = {k: [r[k] or None for r in rows] for k in rows[0]}
    table["population"] = [int(x) if x else None for x in table["population"]]
    with pytest.raises(localcare.AllocationError, match="no unit or commissioner pot NOPE"):
        localcare.explain_allocation(table, "£617.4m", "NOPE")
    e = localcare.explain_allocation(table, "£617.4m", "P017")
    assert e.unit_id == "P017" and e.text.startswith("how P017 (gp_practice) gets £")
