"""Notebook conventions (issue 25 item 4): a missing value means the same in every kind
of table; every result object has an HTML view; the package's own types follow the
caller's tables."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import localcare
from conftest import ROOT

HUB = ["mdt", "mental_health", "seven_day"]
FP: dict[str, list[Any]] = {
    "unit_id": ["A1", "H1", "H2", "P1", "P2", "P3", "P4"],
    "parent_id": [None, "A1", "A1", "H1", "H1", "H2", "H2"],
    "declared_tier": ["aco", "mcp_hub", "mcp_hub"] + ["gp_practice"] * 4,
    "population": [None, None, None, 100_000, 100_000, 100_000, 100_000],
    "capabilities": [["population_accountability", "capitated_budget"], HUB, HUB, [], [], [], []],
}


# ---- missing values ------------------------------------------------------------------


def _empty_pace_rates() -> dict[str, Any]:
    """`scenarios` with an empty `pace_rate` override on the second row, in each kind."""
    import pandas as pd
    import polars as pl

    base = {"scenario": ["a", "b"], "budget_pence": [100_000_000, 200_000_000]}
    return {
        "pandas NaN": pd.DataFrame(dict(base, pace_rate=[0.25, float("nan")])),
        "pandas pd.NA": pd.DataFrame(dict(base, pace_rate=pd.array([0.25, pd.NA], dtype="Float64"))),
        "pandas object None": pd.DataFrame(dict(base, pace_rate=pd.Series(["0.25", None], dtype=object))),
        "polars null": pl.DataFrame(dict(base, pace_rate=[0.25, None])),
        "pyarrow null": pa.table(dict(base, pace_rate=pa.array([0.25, None], pa.float64()))),
        "dict None": dict(base, pace_rate=[0.25, None]),
    }


def _rows(t: Any) -> list[tuple[Any, ...]]:
    if isinstance(t, dict):
        return list(zip(t["scenario"], t["unit_id"], t["allocation_pence"]))
    root = type(t).__module__.split(".")[0]
    if root == "pandas":
        return list(zip(t["scenario"], t["unit_id"], t["allocation_pence"].tolist()))
    if root == "polars":
        return list(zip(t["scenario"], t["unit_id"], t["allocation_pence"].to_list()))
    return list(zip(*(t.column(c).to_pylist() for c in ("scenario", "unit_id", "allocation_pence"))))


def test_an_empty_scenario_override_means_the_rulesets_value_in_every_kind() -> None:
    prepared = localcare.prepare(FP)
    baselines = {"unit_id": ["A1"], "baseline_pence": [70_000_000]}
    expected = _rows(
        prepared.sweep({"scenario": ["a", "b"], "budget_pence": [100_000_000, 200_000_000],
                        "pace_rate": ["0.25", None]}, baselines)
    )
    untouched = _rows(prepared.sweep({"scenario": ["b"], "budget_pence": [200_000_000]}, baselines))
    assert [r for r in expected if r[0] == "b"] == untouched
    for kind, scenarios in _empty_pace_rates().items():
        assert _rows(prepared.sweep(scenarios, baselines)) == expected, kind


def test_an_empty_csv_column_read_by_pandas_is_missing(tmp_path: Path) -> None:
    import pandas as pd

    p = tmp_path / "fp.csv"
    p.write_text("unit_id,parent_id,declared_tier,population,capabilities\nA,,aco,,\nP1,A,gp_practice,5000,\n")
    df = pd.read_csv(p)
    assert df["capabilities"].dtype.kind == "f", "pandas reads an empty column as float NaN"
    report = localcare.validate(df)
    assert report.units == 2


# ---- HTML views -------------------------------------------------------------------------


def test_the_validation_report_groups_findings_by_code_with_counts() -> None:
    fp = {
        "unit_id": ["A1"] + [f"P{i}" for i in range(30)],
        "parent_id": [None] + ["A1"] * 30,
        "declared_tier": ["aco"] + ["gp_practice"] * 30,
        "population": [None] + [100] * 30,
        "capabilities": [[]] + [[]] * 30,
    }
    report = localcare.validate(fp)
    html = report._repr_html_()
    codes: dict[str, int] = {}
    for c in report.findings["code"]:
        codes[c] = codes.get(c, 0) + 1
    assert len(codes) < len(report.findings["code"]), "some code repeats"
    for code, n in codes.items():
        assert html.count(f"<code>{code}</code>") == 2, "once in the summary, once as a group"
        assert f"<td>{n}</td>" in html
    assert html.count("<details>") == len(codes)


def test_every_result_object_has_an_html_view() -> None:
    prepared = localcare.prepare(FP)
    sites = {"site_id": ["S1", "S2", "S3"], "admissions": [400, 300, 200]}
    zones = {"zone_id": ["Z1", "Z2"], "population": [100_000, 200_000]}
    travel = {"zone_id": ["Z1", "Z1", "Z1", "Z2", "Z2", "Z2"], "site_id": ["S1", "S2", "S3"] * 2,
              "minutes": [10, 20, 30, 30, 20, 10]}
    appraisal = localcare.appraise(sites, zones, travel, sites_per_option=2, ruleset="england-stroke-2021")
    act = {"unit_id": ["A"], "emergency_admissions": [40_000]}
    objects: dict[str, Any] = {
        "Report": localcare.validate(FP),
        "Explanation": localcare.explain(30_000),
        "AllocationExplanation": prepared.explain(100_000_000, "A1"),
        "PreparedFootprint": prepared,
        "Sweep": prepared.sweep([100_000_000, 200_000_000], matrix=True),
        "Appraisal": appraisal,
        "ReductionAnswer": localcare.reduction_for_target(act, "£1m"),
        "Ruleset": localcare.Ruleset.builtin(),
    }
    if appraisal.swap is not None:
        objects["WeightSwap"] = appraisal.swap
    for name, obj in objects.items():
        html = obj._repr_html_()
        assert html.startswith("<") and len(html) > 40, name
    assert "PreparedFootprint" in objects["PreparedFootprint"]._repr_html_()
    assert "kent-medway-2017" in objects["PreparedFootprint"]._repr_html_()
    swap = localcare.WeightSwap("access", Decimal("0.6"), Decimal("0.7"), Decimal("0.1"), True)
    assert "access" in swap._repr_html_()


# ---- types -------------------------------------------------------------------------------


def test_result_tables_are_typed_as_their_inputs(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    snippet = tmp_path / "typed.py"
    snippet.write_text(
        """
from typing import Any, assert_type
import localcare

t: dict[str, list[Any]] = {"unit_id": ["a"], "population": [1]}
assert_type(localcare.classify(t), dict[str, list[Any]])
r = localcare.validate(t)
assert_type(r, localcare.Report[dict[str, list[Any]]])
assert_type(r.findings, dict[str, list[Any]])
p = localcare.prepare(t)
assert_type(p.allocate(100), dict[str, list[Any]])
assert_type(p.sweep([100]), dict[str, list[Any]])
assert_type(p.sweep([100], matrix=True), localcare.Sweep)
a = localcare.appraise(t, t, t)
assert_type(a, localcare.Appraisal[dict[str, list[Any]]])
assert_type(a.appraisal, dict[str, list[Any]])
assert_type(a.hurdles, dict[str, list[Any]])
assert_type(a.volumes, dict[str, list[Any]])
assert_type(a.evaluation, dict[str, list[Any]])
assert_type(a.search, dict[str, list[Any]])
"""
    )
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "python" / "pyproject.toml"), str(snippet)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MYPY_CACHE_DIR": str(tmp_path / ".mypy_cache")},
    )
    assert r.returncode == 0, r.stdout + r.stderr
