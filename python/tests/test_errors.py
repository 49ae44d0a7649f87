"""Each bad input of docs/invariants.md#bad-input-is-a-clear-error raises the right localcare.Error subclass, with the core's
message, and never a partial result or a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import localcare

HUB = ["mdt", "mental_health", "seven_day"]
FP: dict[str, list[Any]] = {
    "unit_id": ["A1", "H1", "H2", "P1", "P2", "P3", "P4"],
    "parent_id": [None, "A1", "A1", "H1", "H1", "H2", "H2"],
    "declared_tier": ["aco", "mcp_hub", "mcp_hub"] + ["gp_practice"] * 4,
    "population": [None, None, None, 100_000, 100_000, 100_000, 100_000],
    "capabilities": [["population_accountability", "capitated_budget"], HUB, HUB, [], [], [], []],
}


def fp(**changes: list[Any]) -> dict[str, list[Any]]:
    d = {k: list(v) for k, v in FP.items()}
    d.update(changes)
    return d


def test_hierarchy() -> None:
    for cls in (
        localcare.RulesetError,
        localcare.InputError,
        localcare.AllocationError,
        localcare.SettlementError,
    ):
        assert issubclass(cls, localcare.Error)
    assert issubclass(localcare.Error, Exception)
    assert localcare.InputError.row is None and localcare.InputError.column is None


def test_clean_footprint_allocates() -> None:
    out = localcare.allocate(FP, 1_000_000)
    assert sum(a for a, t in zip(out["allocation_pence"], out["tier"]) if t in ("aco", "strategic_commissioner")) == 1_000_000


# Negative or missing populations.


def test_negative_population_classify() -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.classify({"unit_id": ["a", "b"], "population": [10, -5]})
    assert (e.value.row, e.value.column) == (1, "population")
    assert "negative" in str(e.value)


def test_missing_population_classify() -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.classify(pa.table({"population": pa.array([10, None], pa.int64())}))
    assert (e.value.row, e.value.column) == (1, "population")


def test_negative_population_is_refused_naming_row_and_column() -> None:
    # A population is never negative: the reader refuses the cell (LC202 is retired).
    bad = fp(population=[None, None, None, -5, 100_000, 100_000, 100_000])
    for call in (lambda: localcare.validate(bad), lambda: localcare.allocate(bad, 100)):
        with pytest.raises(localcare.InputError) as e:
            call()
        assert (e.value.row, e.value.column) == (3, "population")
        assert "population -5 is negative; expected 0 or more" in str(e.value)


def test_missing_population_allocate_refuses() -> None:
    with pytest.raises(localcare.AllocationError, match="LC201"):
        localcare.allocate(fp(population=[None, None, None, None, 100_000, 100_000, 100_000]), 100)


# NaN weights.


@pytest.mark.parametrize("as_arrow", [False, True])
def test_nan_need_index(as_arrow: bool) -> None:
    needs: Any = {"unit_id": ["P1"], "need_index": [float("nan")]}
    if as_arrow:
        needs = pa.table(needs)
    with pytest.raises(localcare.InputError) as e:
        localcare.allocate(FP, 100, needs=needs)
    assert (e.value.row, e.value.column) == (0, "need_index")
    assert "nan" in str(e.value).lower()


def test_infinite_weight() -> None:
    with pytest.raises(localcare.InputError):
        localcare.allocate(FP, 100, needs={"unit_id": ["P1"], "market_forces_factor": [float("inf")]})


def test_negative_need_is_refused_by_the_rules() -> None:
    with pytest.raises(localcare.AllocationError, match="negative"):
        localcare.allocate(FP, 100, needs={"unit_id": ["P1"], "need_index": ["-1"]})


# Duplicate ids and cycles.


def test_duplicate_ids() -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.classify({"unit_id": ["a", "a"], "population": [1, 2]})
    assert e.value.row == 1 and "duplicate" in str(e.value)
    dup = fp(unit_id=["A1", "H1", "H2", "P1", "P1", "P3", "P4"])
    assert ("LC101", "P1") in localcare.validate(dup).finding_keys()
    with pytest.raises(localcare.AllocationError, match="LC101"):
        localcare.allocate(dup, 100)


def test_duplicate_column_names() -> None:
    table = pa.Table.from_arrays(
        [pa.array(["a"]), pa.array([30_000]), pa.array([1])],
        names=["unit_id", "population", "population"],
    )
    with pytest.raises(localcare.InputError, match="`population` appears more than once") as e:
        localcare.classify(table)
    assert e.value.column == "population"


def test_cycle() -> None:
    cyc = fp(parent_id=["P1", "A1", "A1", "H1", "H1", "H2", "H2"])
    assert any(c == "LC103" for c, _ in localcare.validate(cyc).finding_keys())
    with pytest.raises(localcare.AllocationError):
        localcare.allocate(cyc, 100)


# Malformed rulesets.


def test_malformed_rulesets(tmp_path: Path) -> None:
    with pytest.raises(localcare.RulesetError, match="<string>"):
        localcare.Ruleset.from_toml("id = [")
    with pytest.raises(localcare.RulesetError):
        localcare.Ruleset.from_json("{}")
    with pytest.raises(localcare.RulesetError, match="no built-in ruleset"):
        localcare.Ruleset.builtin("nope")
    with pytest.raises(localcare.RulesetError, match="cannot read"):
        localcare.Ruleset.from_path(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(localcare.Ruleset.builtin().to_json())
    with pytest.raises(localcare.RulesetError, match="bad.toml"):
        localcare.Ruleset.from_path(bad)


# Overflowing and malformed budgets.


@pytest.mark.parametrize("budget", [2**63, 2**70, "£99999999999999999999", "£1.001", "lots", True, 1.5, None])
def test_bad_budgets(budget: Any) -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.allocate(FP, budget)
    assert e.value.column == "budget"


def test_negative_budget() -> None:
    with pytest.raises(localcare.AllocationError, match="negative"):
        localcare.allocate(FP, -1)


# Invalid UTF-8 and wrong types.


def test_lone_surrogate_is_not_text() -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.classify({"unit_id": ["a\udcff"], "population": [1]})
    assert e.value.column == "unit_id"


def test_binary_column_is_not_text() -> None:
    t = pa.table({"unit_id": pa.array([b"\xff\xfe"], pa.binary()), "population": [1]})
    with pytest.raises(localcare.InputError, match="unit_id"):
        localcare.classify(t)


@pytest.mark.parametrize(
    "units",
    [
        {"population": ["many"]},
        {"population": [1.5000000001]},  # 10 decimal places; 9 are kept exactly
        {"population": [1, "x"]},
        {"unit_id": ["a"]},
        {"population": "12"},
        {"population": [1, 2], "unit_id": ["a"]},
        {"population": [True]},
        {"population": [2**64]},
    ],
)
def test_wrong_values(units: dict[str, Any]) -> None:
    with pytest.raises(localcare.InputError):
        localcare.classify(units)


def test_not_a_table() -> None:
    with pytest.raises(localcare.InputError, match="expected a table"):
        localcare.classify(42)  # type: ignore[type-var]


def test_unknown_capability_classify() -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.classify({"population": [1, 2], "capabilities": ["", "teleportation"]})
    assert (e.value.row, e.value.column) == (1, "capabilities")
    assert "unknown capability `teleportation`" in str(e.value)


def test_bad_quality_settlement() -> None:
    with pytest.raises(localcare.SettlementError, match="expected a score in"):
        localcare.settle(
            {
                "unit_id": ["ACO1"],
                "benchmark_pence": [100],
                "actual_pence": [90],
                "assigned_population": [12000],
                "quality": [1.5],
            }
        )


def test_missing_settlement_column() -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.settle({"unit_id": ["ACO1"], "benchmark_pence": [1], "actual_pence": [1], "quality": [1]})
    assert e.value.column == "assigned_population"


def test_baselines_for_some_acos_only() -> None:
    with pytest.raises(localcare.AllocationError, match="baselines"):
        localcare.allocate(FP, 100, baselines={"H1": 5})


def test_scenario_errors_name_the_scenario() -> None:
    p = localcare.prepare(FP)
    with pytest.raises(localcare.AllocationError, match="scenario 1"):
        p.allocate_many([100, -5])
    with pytest.raises(localcare.InputError, match="scenario 1"):
        p.allocate_many([100, "nonsense"])


def test_pandas_column_arrow_cannot_read() -> None:
    import pandas as pd

    with pytest.raises(localcare.InputError, match="pandas"):
        localcare.classify(pd.DataFrame({"population": [1, "two", 3.5]}))


# ---- Defects an outside probe found (issue 14), each fixed and kept fixed. ----


def test_a_pandas_nan_weight_is_missing_as_a_polars_or_pyarrow_null() -> None:
    # Issue 14 made a pandas NaN weight an error "as a NaN float is in every kind";
    # issue 25 (notebook conventions): NaN is how pandas writes a missing value, so it
    # means what a polars or pyarrow null means (here: no need index given). A float NaN
    # in a pyarrow or polars column is a number that is not one, still an error
    # (test_nan_need_index).
    import pandas as pd
    import polars as pl

    needs = pd.DataFrame({"unit_id": ["P1", "P2"], "need_index": [float("nan"), 2.0]})
    got = localcare.allocate(pd.DataFrame(FP), 1_000_000, needs=needs)
    same = localcare.allocate(
        pl.DataFrame(FP), 1_000_000, needs=pl.DataFrame({"unit_id": ["P1", "P2"], "need_index": [None, 2.0]})
    )
    assert got["allocation_pence"].tolist() == same["allocation_pence"].to_list()
    # A NaN population in pandas is still "missing" (how pandas writes one).
    units = pd.DataFrame({"unit_id": ["a"], "population": [float("nan")]})
    with pytest.raises(localcare.InputError, match="missing"):
        localcare.classify(units)


def test_polars_null_typed_columns_read_as_missing() -> None:
    import polars as pl

    t = localcare.classify(pl.DataFrame({"population": [30000, 5000], "capabilities": [None, None]}))
    assert t["tier"].to_list() == ["gp_practice", "gp_practice"]
    assert localcare.classify(pl.DataFrame({"population": []})).height == 0
    needs = pl.DataFrame({"unit_id": ["P1"], "need_index": [None]})
    a = localcare.allocate(pl.DataFrame(FP), 1_000_000, needs=needs)
    assert a.height > 0


def test_errors_are_localcare_errors_never_python_ones() -> None:
    import pandas as pd

    units = pd.DataFrame({"unit_id": ["a"], "population": pd.Series([2**70], dtype=object)})
    with pytest.raises(localcare.Error):
        localcare.classify(units)
    with pytest.raises(localcare.Error):
        localcare.Ruleset.from_toml('id="\ud800"')
    with pytest.raises(localcare.Error, match="pence"):
        localcare.format_pounds(2**63)


def test_messages_say_what_is_wrong() -> None:
    import pandas as pd

    with pytest.raises(localcare.InputError, match="is too large; at most 18446744073709551615 people"):
        localcare.classify(pd.DataFrame({"population": [2.0**64]}))
    with pytest.raises(localcare.InputError, match="too large"):
        localcare.explain(2**64)
    with pytest.raises(localcare.InputError, match="negative"):
        localcare.explain(-1)
    a = localcare.allocate(FP, "-0")
    assert sum(a["allocation_pence"]) == 0


def test_a_decimal_a_person_would_not_write_is_refused() -> None:
    for text in ["1_0", "+1", "."]:
        with pytest.raises(localcare.InputError, match="not a decimal number"):
            localcare.allocate(FP, 1_000_000, needs={"unit_id": ["P1"], "need_index": [text]})
