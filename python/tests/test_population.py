"""Exact fractional populations (issue 22): NHS England's adjusted practice populations
have up to 9 decimal places, and every kind of table reads them exactly; whole numbers
behave as they always did; bad values are refused naming row and column.

A81001 (`pop 2022/23` 4068.906409) and Y00212 (0.081775254, the smallest) are rows of NHS
England's practice-level weighted populations for 2024/25
(`../shared/data/nhs-practice-weighted-populations-2024-25.csv`). Contains public sector
information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import localcare

T1 = "enhanced_in_hours;extended_hours"
IDS = ["A81001", "Y00212", "E1", "E2"]
POPS = ["4068.906409", "0.081775254", "19999.5", "20000"]
CAPS = ["", "", T1, T1]


def _tiers(out: Any) -> list[str]:
    if isinstance(out, dict):
        return list(out["tier"])
    if isinstance(out, pa.Table):
        return [str(t) for t in out.column("tier").to_pylist()]
    if hasattr(out, "to_pandas") and not hasattr(out, "iloc"):  # polars
        return [str(t) for t in out["tier"].to_list()]
    return [str(t) for t in out["tier"]]


WANT = ["gp_practice", "gp_practice", "gp_practice", "extended_practice"]


def test_dict_of_text_and_of_decimals() -> None:
    for pops in (POPS, [Decimal(p) for p in POPS]):
        out = localcare.classify({"unit_id": IDS, "population": pops, "capabilities": CAPS})
        assert _tiers(out) == WANT
        assert list(out["population"]) == ["4068.906409", "0.081775254", "19999.5", "20000"]
        assert "population 19,999.5 below the minimum 20,000" in out["reasons"][2]


def test_pandas_float_column() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"unit_id": IDS, "population": [float(p) for p in POPS], "capabilities": CAPS})
    out = localcare.classify(df)
    assert _tiers(out) == WANT
    assert list(out["population"]) == POPS


def test_pandas_whole_numbers_stay_int64() -> None:
    pd = pytest.importorskip("pandas")
    out = localcare.classify(pd.DataFrame({"population": [30_000, 12]}))
    assert str(out["population"].dtype) == "int64"
    # A float column of whole numbers (what pandas makes of ints beside a NaN) too.
    out = localcare.classify(pd.DataFrame({"population": [30_000.0, 12.0]}))
    assert list(out["population"]) == [30_000, 12]


def test_polars_float_column() -> None:
    pl = pytest.importorskip("polars")
    out = localcare.classify(pl.DataFrame({"unit_id": IDS, "population": [float(p) for p in POPS], "capabilities": CAPS}))
    assert _tiers(out) == WANT


def test_pyarrow_decimal_column() -> None:
    t = pa.table(
        {
            "unit_id": IDS,
            "population": pa.array([Decimal(p) for p in POPS], pa.decimal128(20, 9)),
            "capabilities": CAPS,
        }
    )
    out = localcare.classify(t)
    assert _tiers(out) == WANT
    assert out.column("population").to_pylist() == POPS


def test_explain_takes_exact_populations() -> None:
    e = localcare.explain(Decimal("19999.5"), T1.split(";"))
    assert e.tier == "gp_practice"
    assert e.population == Decimal("19999.5")
    assert "population 19,999.5 below the minimum 20,000" in e.text
    assert localcare.explain("20000", T1.split(";")).tier == "extended_practice"
    assert localcare.explain(19999.5, T1.split(";")).population == Decimal("19999.5")
    assert localcare.explain(20000).population == 20000
    assert isinstance(localcare.explain(20000).population, int)


FOOTPRINT: dict[str, list[Any]] = {
    "unit_id": ["A1", "H1", "A81001", "Y00212"],
    "parent_id": [None, "A1", "H1", "H1"],
    "declared_tier": ["aco", "mcp_hub", "gp_practice", "gp_practice"],
    "population": [None, None, 4068.906409, 0.081775254],
    "capabilities": [["population_accountability", "capitated_budget"], ["mdt", "mental_health", "seven_day"], [], []],
}


def test_validate_two_real_practices() -> None:
    r = localcare.validate(FOOTPRINT)
    assert r.total_population == Decimal("4068.988184254")
    assert "population 4,068.988184254" in r.summary
    assert ("LC205", "H1") in r.finding_keys()


def test_allocate_two_real_practices_to_the_penny() -> None:
    # A ruleset with no bands, the whole budget to the ACOs: £1m by weighted population.
    import json
    from pathlib import Path

    vector = json.loads((Path(__file__).parents[2] / "tests/vectors/allocate/invalid-footprint.json").read_text())
    rs = localcare.Ruleset.from_toml(vector["ruleset_toml"])
    fp = dict(FOOTPRINT, capabilities=[[], [], [], []])  # the open ruleset declares none
    out = localcare.allocate(fp, "£1000000", ruleset=rs)
    got = dict(zip(out["unit_id"], out["allocation_pence"]))
    assert got["A81001"] == 99_997_990 and got["Y00212"] == 2_010


@pytest.mark.parametrize(
    ("pops", "row", "message"),
    [
        (["1", "0.1234567891"], 1, "population 0.1234567891 has 10 decimal places"),
        (["1", "-0.5"], 1, "population -0.5 is negative; expected 0 or more"),
        (["NaN", "1"], 0, "population `NaN` is not a number of people"),
        (["1", "1,5"], 1, "population `1,5` is not a number of people"),
        ([1.0, -2.5], 1, "population -2.5 is negative"),
        ([float("inf"), 1.0], 0, "population `inf` is not a number of people"),
        ([1.0, 0.1 + 0.2], 1, "population 0.30000000000000004 has 17 decimal places"),
    ],
)
def test_bad_populations_name_row_and_column(pops: list[Any], row: int, message: str) -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.classify({"population": pops})
    assert (e.value.row, e.value.column) == (row, "population")
    assert message in str(e.value)


def test_an_empty_practice_population_is_lc201() -> None:
    fp = {k: list(v) for k, v in FOOTPRINT.items()}
    fp["population"][3] = None
    assert ("LC201", "Y00212") in localcare.validate(fp).finding_keys()
