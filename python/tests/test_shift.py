"""The shift-left model through Python: every tests/vectors/shift vector, with the Rust
runner's expected values (crates/localcare/tests/vectors.rs), and bad inputs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import localcare
from conftest import ROOT, load, ruleset_of, vector_files

KINDS = ["dict", "pyarrow"]
ACTIVITY = [
    "unit_id",
    "emergency_admissions",
    "avoidable_share",
    "reduction",
    "avoided_share",
    "bed_days_per_admission",
    "bed_day_cost_pence",
    "replacement_cost_pence",
    "fixed_cost_pence",
    "occupancy",
]
BENCHMARKS = ["unit_id", "benchmark_pence", "assigned_population", "quality"]


def table(rows: list[dict[str, Any]], names: list[str], kind: str) -> Any:
    """The rows' columns among `names`; a column with no value at all is left out."""
    cols = {n: [r.get(n) for r in rows] for n in names}
    cols = {n: v for n, v in cols.items() if any(x is not None for x in v)}
    return cols if kind == "dict" else pa.table(cols)


def rows_of(t: Any) -> list[dict[str, Any]]:
    d = t if isinstance(t, dict) else t.to_pydict()
    n = len(next(iter(d.values()))) if d else 0
    return [{k: v[i] for k, v in d.items()} for i in range(n)]


def same(got: Any, want: Any) -> bool:
    """Decimals in `expected` are text compared as numbers."""
    if isinstance(want, str) and isinstance(got, str):
        try:
            return Decimal(got) == Decimal(want)
        except ArithmeticError:
            return got == want
    if isinstance(want, str) and isinstance(got, Decimal):
        return got == Decimal(want)
    return bool(got == want)


def check(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    for k, w in want.items():
        assert same(got[k], w), f"{where}: {k} = {got[k]!r}, expected {w!r}"


def answer_dict(a: localcare.ReductionAnswer) -> dict[str, Any]:
    return {
        "reduction": a.reduction,
        "max_reduction": a.max_reduction,
        "net_savings_pence": a.net_savings_pence,
    }


def run(v: dict[str, Any], kind: str) -> Any:
    rs = ruleset_of(v)
    inputs = v["inputs"]
    activity = table(inputs, ACTIVITY, kind)
    q = v["question"]
    if q == "shift":
        return rows_of(localcare.shift(activity, rs))
    if q == "shift_settle":
        return rows_of(localcare.shift(activity, rs, benchmarks=table(inputs, BENCHMARKS, kind)))
    if q == "break_even_reduction":
        return localcare.break_even_reduction(activity, rs)[inputs[0]["unit_id"]]
    if q == "reduction_for_minimum_savings_rate":
        return localcare.reduction_for_minimum_savings_rate(
            activity, table(inputs, BENCHMARKS, kind), rs
        )[inputs[0]["unit_id"]]
    if q == "reduction_for_target":
        return localcare.reduction_for_target(activity, v["target_pence"], rs)
    raise AssertionError(f"unknown question {q}")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", vector_files("shift"), ids=lambda p: p.stem)
def test_shift_vector(path: Path, kind: str) -> None:
    v = load(path)
    if "expected_error" in v:
        with pytest.raises(localcare.Error) as e:
            run(v, kind)
        assert v["expected_error"] in str(e.value)
        assert isinstance(e.value, (localcare.ShiftError, localcare.InputError))
        return
    got = run(v, kind)
    want = v["expected"]
    q = v["question"]
    if q == "shift":
        assert len(got) == len(want["units"])
        for g, w in zip(got, want["units"]):
            check(g, w, path.stem)
        # Totals are the column sums.
        t = want["totals"]
        assert len(got) == t["units"]
        for k in ("emergency_admissions", "gross_savings_pence", "reinvestment_pence", "net_savings_pence"):
            assert sum(r[k] for r in got) == t[k], k
        for k in ("admissions_avoided", "bed_days_released", "beds_released"):
            assert sum(Decimal(r[k]) for r in got) == Decimal(t[k]), k
    elif q == "shift_settle":
        assert [r["unit_id"] for r in got] == [w["unit_id"] for w in want]
        for g, w in zip(got, want):
            # The settlement's savings are benchmark - (benchmark - net savings): the
            # table has them once, as `net_savings_pence`.
            check({**g, "savings_pence": g["net_savings_pence"]}, w, path.stem)
    else:
        a = got
        assert isinstance(a, localcare.ReductionAnswer)
        assert a.reduction is None or isinstance(a.reduction, Decimal)
        check(answer_dict(a), want, path.stem)
        if a.reduction is None:
            assert "not reachable" in a.explanation


def test_shift_settle_vector_has_the_settlement_columns() -> None:
    v = load(ROOT / "tests" / "vectors" / "shift" / "settle-follows.json")
    got = rows_of(
        localcare.shift(
            table(v["inputs"], ACTIVITY, "pyarrow"),
            benchmarks=table(v["inputs"], BENCHMARKS, "pyarrow"),
        )
    )
    assert got[1]["final_pence"] == 540_000_000
    assert got[1]["minimum_rate_met"] is True
    assert got[0]["expected_actual_pence"] == 49_100_000_000
    assert "expected actual spend = benchmark" in got[0]["explanation"]
    assert got[1]["savings_rate_float"] == pytest.approx(0.024)
    assert set(localcare.columns("shift")) >= set(got[0])


def test_the_table_kind_comes_back() -> None:
    import pandas as pd
    import polars as pl

    cols = {"unit_id": ["A", "B"], "emergency_admissions": [50_000, 40_000]}
    assert isinstance(localcare.shift(pd.DataFrame(cols)), pd.DataFrame)
    df = localcare.shift(pl.DataFrame(cols))
    assert isinstance(df, pl.DataFrame)
    assert df["net_savings_pence"].to_list() == [900_000_000, 720_000_000]
    assert "final_pence" not in df.columns
    assert "net_savings_pounds" not in df.columns, "pounds are the command line's"
    assert isinstance(localcare.shift(pa.table(cols)), pa.Table)
    assert localcare.shift(cols)["reduction"] == ["0.300000", "0.300000"]


def test_sweep_is_one_table_over_reductions_and_plots() -> None:
    act = {"unit_id": ["A", "B"], "emergency_admissions": [50_000, 50_000], "reduction": ["0.1", None]}
    bench = {
        "unit_id": ["B", "A"],
        "benchmark": ["£500m", "£500m"],
        "assigned_population": [500_000, 500_000],
        "quality": [0.9, 0.9],
    }
    t = localcare.shift_sweep(act, [0, Decimal("0.2"), 0.4, "0.3"], benchmarks=bench)
    assert t["unit_id"] == ["A", "B"] * 4
    assert [Decimal(r) for r in t["reduction"]] == [Decimal(x) for x in ["0", "0", "0.2", "0.2", "0.4", "0.4", "0.3", "0.3"]]
    assert t["net_savings_pence"][4] == 1_200_000_000
    assert t["final_pence"][4] == 540_000_000
    assert t["final_pence"][0] == 0
    assert localcare.columns("reductions") == localcare.columns("shift")
    with pytest.raises(localcare.ShiftError, match=r"`reduction` is 0.5 of all admissions") as e:
        localcare.shift_sweep(act, ["0.5"])
    assert e.value.row == 0
    with pytest.raises(localcare.InputError, match="not a decimal"):
        localcare.shift_sweep(act, ["x"])
    with pytest.raises(localcare.InputError):
        localcare.shift_sweep(act, [True])  # type: ignore[list-item]

    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from localcare import plot

    ax = plot.shift(t)
    assert len(ax.lines) == 3  # net savings, settlement, the zero line
    assert ax.lines[0].get_ydata()[2] == pytest.approx(24.0)  # £24m net at 40%
    plt.close(ax.figure)
    ax = plot.shift(localcare.shift_sweep(pa.table(act), [0, 0.4]))
    assert len(ax.lines) == 2
    plt.close(ax.figure)


def test_inverse_questions_answer_exact_decimals() -> None:
    four = {"unit_id": ["A", "B", "C", "D"], "emergency_admissions": [200_000] * 4}
    a = localcare.reduction_for_target(four, "£160m")
    assert a.reduction == Decimal("0.333334") and a.unit_id is None
    assert localcare.reduction_for_target(four) == a, "the ruleset's own target is £160m"
    assert localcare.reduction_for_target(four, 16_000_000_000) == a
    no = localcare.reduction_for_target({"unit_id": ["A"], "emergency_admissions": [1000]})
    assert no.reduction is None and no.max_reduction == Decimal("0.4")
    assert "not reachable" in str(no)
    be = localcare.break_even_reduction(
        {"unit_id": ["A", "B"], "emergency_admissions": [100_000, 100_000], "fixed_cost_pence": [600_000_000, None]}
    )
    assert list(be) == ["A", "B"]
    assert be["A"].reduction == Decimal("0.1") and be["B"].reduction == Decimal(0)
    msr = localcare.reduction_for_minimum_savings_rate(
        {"unit_id": ["A"], "emergency_admissions": [50_000]},
        {"unit_id": ["A"], "benchmark_pence": [50_000_000_000], "assigned_population": [500_000], "quality": [1]},
    )
    assert msr["A"].reduction == Decimal("0.333334")
    with pytest.raises(localcare.InputError, match="not an amount of money") as e:
        localcare.reduction_for_target(four, "lots")
    assert e.value.column == "target"
    with pytest.raises(localcare.InputError, match="no net savings target"):
        localcare.reduction_for_target(four, ruleset="england-pcn-2019")


def test_bad_inputs_name_table_column_and_row() -> None:
    with pytest.raises(localcare.InputError) as e:
        localcare.shift({"unit_id": ["A", "B"], "emergency_admissions": [1, "many"]})
    assert (e.value.column, e.value.row) == ("emergency_admissions", 1)
    assert str(e.value).startswith("activity: column `emergency_admissions`, row 1")
    with pytest.raises(localcare.InputError, match="missing; expected `emergency_admissions`"):
        localcare.shift({"unit_id": ["A"]})
    with pytest.raises(localcare.InputError) as e:
        localcare.shift({"unit_id": ["A", "A"], "emergency_admissions": [1, 2]})
    assert e.value.row == 1
    with pytest.raises(localcare.ShiftError) as se:
        localcare.shift({"unit_id": ["A", "B"], "emergency_admissions": [1, -2]})
    assert se.value.row == 1
    assert "B: `emergency_admissions` is -2" in str(se.value)
    assert isinstance(se.value, localcare.Error)
    act = {"unit_id": ["A", "B"], "emergency_admissions": [1, 2]}
    with pytest.raises(localcare.InputError) as e:
        localcare.shift(act, benchmarks={"unit_id": ["A"], "benchmark_pence": [1], "assigned_population": [1], "quality": [1]})
    assert "unit `B` has no row in the benchmarks table" in str(e.value)
    with pytest.raises(localcare.InputError, match="benchmarks: column `unit_id`, row 1: unit `C` is not in the activity table"):
        localcare.shift(
            act,
            benchmarks={"unit_id": ["A", "C"], "benchmark_pence": [10**8] * 2, "assigned_population": [1] * 2, "quality": [1] * 2},
        )
    with pytest.raises(localcare.ShiftError, match="`quality` is 1.5") as se:
        localcare.shift(
            act,
            benchmarks={"unit_id": ["B", "A"], "benchmark_pence": [10**8] * 2, "assigned_population": [1] * 2, "quality": [1, 1.5]},
        )
    assert se.value.row == 0, "the activity row of the unit"
    with pytest.raises(localcare.ShiftError, match="`quality` is not given") as se:
        localcare.shift(act, benchmarks={"unit_id": ["A", "B"], "benchmark_pence": [10**8] * 2, "assigned_population": [1] * 2})
    assert se.value.row == 0
    with pytest.raises(localcare.ShiftError, match="has no shift policy"):
        localcare.shift(act, "england-pcn-2019")
