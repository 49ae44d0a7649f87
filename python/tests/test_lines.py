"""Budget lines, components and need indices through Python: the shared vectors in
tests/vectors/lines, NHS England's column names, the float twins of the need indices,
bad weighted populations, and a tier ruleset given another's allocation policy."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyarrow as pa
import pytest

import localcare
from conftest import columns, load, vector_files

FOOTPRINT = ["unit_id", "parent_id", "declared_tier", "population", "capabilities"]


@pytest.mark.parametrize("path", vector_files("lines"), ids=lambda p: p.stem)
def test_lines_vector(path: Path) -> None:
    v = load(path)
    rs = localcare.Ruleset.builtin(v["ruleset"])
    fp = pa.table(columns(v["footprint"], FOOTPRINT))
    needs = pa.table(columns(v["needs"]))
    budget = {line: pence for line, pence in v["budget_lines"]}
    out = localcare.allocate(fp, budget, needs=needs, ruleset=rs).to_pylist()
    by_id = {r["unit_id"]: r for r in out}
    for want in v["expected"]["rows"]:
        got = by_id[want["unit_id"]]
        for col, value in want.items():
            assert got[col] == value, (want["unit_id"], col)
        # The float twin is the exact text as a float.
        for c in ("core", "primary_medical_care"):
            assert got[f"need_index_{c}_float"] == pytest.approx(float(got[f"need_index_{c}"]), abs=1e-9)


def icb() -> tuple[pa.Table, localcare.Ruleset]:
    v = load(vector_files("lines")[0])
    return pa.table(columns(v["footprint"], FOOTPRINT)), localcare.Ruleset.builtin(v["ruleset"])


def test_a_single_budget_is_refused_under_a_ruleset_of_lines() -> None:
    fp, rs = icb()
    needs = {"unit_id": ["P1", "P2", "P3"], "wp_core": ["1", "2", "3"]}
    with pytest.raises(localcare.AllocationError, match="splits its budget in lines"):
        localcare.allocate(fp, "£1000", needs=needs, ruleset=rs)
    out = localcare.allocate(fp, {"core": "£1000"}, needs=needs, ruleset=rs).to_pylist()
    assert sum(r["core_allocation_pence"] for r in out if r["parent_id"] is None) == 100_000


@pytest.mark.parametrize(
    ("p2", "p3_population", "message"),
    [
        (None, 2000, "needs: unit P2: `wp_core` is missing"),
        ("-1", 2000, "needs: unit P2: `wp_core` is -1"),
        ("2500", 0, "needs: unit P3: `wp_core` is 3 but the practice's population is 0"),
    ],
)
def test_bad_weighted_populations(p2: str | None, p3_population: int, message: str) -> None:
    v = load(vector_files("lines")[0])
    rows = [dict(r) for r in v["footprint"]]
    rows[-1]["population"] = p3_population
    fp = pa.table(columns(rows, FOOTPRINT))
    rs = localcare.Ruleset.builtin("england-icb-2024")
    needs = {"unit_id": ["P1", "P2", "P3"], "Final WP": ["1", p2, "3"]}
    with pytest.raises(localcare.AllocationError, match=message.replace("(", ".").replace(")", ".")):
        localcare.allocate(fp, {"core": 100}, needs=needs, ruleset=rs)


def test_an_unknown_needs_column_is_named() -> None:
    fp, rs = icb()
    needs = {"unit_id": ["P1", "P2", "P3"], "Final WP": ["1", "2", "3"], "notes": ["a", "b", "c"]}
    with pytest.raises(localcare.InputError) as e:
        localcare.allocate(fp, {"core": 100}, needs=needs, ruleset=rs)
    assert e.value.column == "notes"


def test_a_tier_ruleset_takes_another_policy() -> None:
    nh = localcare.Ruleset.builtin("england-neighbourhood-2025")
    fp = {
        "unit_id": ["IHO", "S1", "P1"],
        "parent_id": [None, "IHO", "S1"],
        "declared_tier": ["integrated_health_organisation", "single_neighbourhood_provider", "gp_practice"],
        "population": [None, None, 50000],
        "capabilities": ["population_accountability;capitated_budget", "modern_general_practice;neighbourhood_mdt", ""],
    }
    with pytest.raises(localcare.AllocationError, match="with_allocation_policy"):
        localcare.allocate(fp, "£10", ruleset=nh)
    with_icb = nh.with_allocation_policy(localcare.Ruleset.builtin("england-icb-2024"))
    out = localcare.allocate(fp, {"core": "£10"}, needs={"unit_id": ["P1"], "wp_core": ["900"]}, ruleset=with_icb)
    assert out["allocation_pence"][0] == 1000
    text = '[allocation]\naco_commissioned_share = "1"\ninequalities_weight = "0"\npots = []\n'
    out = localcare.allocate(fp, "£10", ruleset=nh.with_allocation_policy(text))
    assert out["allocation_pence"][0] == 1000
    # It pickles with its policy.
    assert pickle.loads(pickle.dumps(with_icb)) == with_icb
    with pytest.raises(localcare.RulesetError, match="no allocation policy"):
        nh.with_allocation_policy(nh)


def test_a_prepared_footprint_takes_lines() -> None:
    v = load(vector_files("lines")[0])
    fp = pa.table(columns(v["footprint"], FOOTPRINT))
    prepared = localcare.prepare(fp, pa.table(columns(v["needs"])), localcare.Ruleset.builtin(v["ruleset"]))
    budget = {line: pence for line, pence in v["budget_lines"]}
    got = {r["unit_id"]: r["allocation_pence"] for r in prepared.allocate(budget).to_pylist()}
    assert got == {r["unit_id"]: r["allocation_pence"] for r in v["expected"]["rows"]}
    e = prepared.explain(budget, "P1")
    assert "budget line core" in e.text and e.allocation_pence == 29005
