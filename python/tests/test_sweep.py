"""Sweeps: the shared vectors in tests/vectors/sweep through Python (table and matrix
forms), each scenario equal to a single allocate, and a PreparedFootprint that
survives pickling (Spark broadcasts it) to the same pennies."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import localcare
from conftest import columns, load, ruleset_of, vector_files

FOOTPRINT = ["unit_id", "parent_id", "declared_tier", "population", "capabilities"]


def prepared_of(v: dict[str, Any]) -> localcare.PreparedFootprint:
    fp = columns(v["footprint"], FOOTPRINT)
    needs = columns(v["needs"]) if v["needs"] else None
    return localcare.prepare(pa.table(fp), needs, ruleset_of(v))


def inputs(v: dict[str, Any]) -> tuple[Any, Any]:
    scenarios = pa.table(columns(v["scenarios"]))
    baselines = pa.table(columns(v["baselines"])) if v["baselines"] else None
    return scenarios, baselines


@pytest.mark.parametrize("path", vector_files("sweep"), ids=lambda p: p.stem)
def test_sweep_vector(path: Path) -> None:
    v = load(path)
    prepared = prepared_of(v)
    scenarios, baselines = inputs(v)
    if "error" in v["expected"]:
        with pytest.raises(localcare.Error, match=v["expected"]["error"].replace("`", ".").replace("(", ".").replace(")", ".")):
            prepared.sweep(scenarios, baselines)
        return
    got = prepared.sweep(scenarios, baselines).to_pylist()
    assert got == v["expected"]["rows"]
    m = prepared.sweep(scenarios, baselines, matrix=True)
    width = len(m.row_ids)
    flat = [r["allocation_pence"] for r in v["expected"]["rows"]]
    assert m.allocation_pence.shape == (len(m.scenarios), width)
    assert m.allocation_pence.dtype == np.int64
    assert m.allocation_pence.ravel().tolist() == flat
    assert m.target_pence.ravel().tolist() == [r["target_pence"] for r in v["expected"]["rows"]]


def test_sweep_equals_allocate_and_pickles() -> None:
    v = load(vector_files("sweep")[0])
    prepared = prepared_of(v)
    budgets = [0, 1, 1200, 999_999, "£12.34"]
    m = prepared.sweep(budgets, matrix=True)
    for i, b in enumerate(budgets):
        single = prepared.allocate(b)["allocation_pence"].to_pylist()
        assert m.allocation_pence[i].tolist() == single
    again = pickle.loads(pickle.dumps(prepared))
    assert len(again) == len(prepared)
    assert again.row_ids == prepared.row_ids
    assert (again.sweep(budgets, matrix=True).allocation_pence == m.allocation_pence).all()


def test_pickled_with_needs_allocates_the_same() -> None:
    rs = localcare.Ruleset.builtin("kent-medway-2017")
    hub = "mdt;mental_health;seven_day"
    fp = {
        "unit_id": ["A1", "H1", "H2", "P1", "P2", "P3"],
        "parent_id": [None, "A1", "A1", "H1", "H1", "H2"],
        "declared_tier": ["aco", "mcp_hub", "mcp_hub", "gp_practice", "gp_practice", "gp_practice"],
        "population": [None, None, None, 150_000, 50_000, 200_000],
        "capabilities": ["population_accountability;capitated_budget", hub, hub, "", "", ""],
    }
    needs = {"unit_id": ["P1", "P3"], "need_index": ["1.2", None], "hi_weighted_population": [None, "210000.5"]}
    p = localcare.prepare(fp, needs, rs)
    q = pickle.loads(pickle.dumps(p))
    assert q.allocate(123_456_789) == p.allocate(123_456_789)


def test_bad_scenarios_are_input_errors() -> None:
    v = load(vector_files("sweep")[0])
    prepared = prepared_of(v)
    with pytest.raises(localcare.Error, match="unknown column"):
        prepared.sweep({"scenario": ["a"], "budget_pence": [1], "h": ["0.1"]})
    with pytest.raises(localcare.Error, match="budget"):
        prepared.sweep({"scenario": ["a"]})


@pytest.mark.parametrize("budget", [float("nan"), 1.5, None, b"100"])
def test_a_budget_list_of_no_money_is_an_input_error(budget: Any) -> None:
    # Issue 26: `sweep([nan])` raised a TypeError about str.
    prepared = prepared_of(load(vector_files("sweep")[0]))
    with pytest.raises(localcare.InputError, match=r"budget 0, .* is not money"):
        prepared.sweep([budget])
