"""The same call with pandas, polars, pyarrow and a dict gives equal results, each as
the kind of table it was given."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import localcare

KINDS = ["dict", "pandas", "polars", "pyarrow"]


def convert(d: dict[str, list[Any]], kind: str) -> Any:
    if kind == "dict":
        return d
    if kind == "pandas":
        return pd.DataFrame(d)
    if kind == "polars":
        return pl.DataFrame(d)
    return pa.table(d)


def normalise(t: Any) -> dict[str, list[Any]]:
    """Any result as a dict of lists, missing values as None."""
    if isinstance(t, dict):
        d = t
    elif isinstance(t, pd.DataFrame):
        d = {c: [None if _na(x) else x for x in t[c].tolist()] for c in t.columns}
    elif isinstance(t, pl.DataFrame):
        d = t.to_dict(as_series=False)
    else:
        d = t.to_pydict()
    return {k: [_plain(x) for x in v] for k, v in d.items()}


def _na(x: Any) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _plain(x: Any) -> Any:
    if hasattr(x, "item"):  # numpy scalars
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


EXPECTED_TYPE = {
    "dict": dict,
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "pyarrow": pa.Table,
}


@pytest.fixture(scope="module")
def footprint(example_csv: Path) -> dict[str, list[Any]]:
    return pacsv.read_csv(example_csv).to_pydict()  # type: ignore[no-any-return]


def test_issue_example_polars_list_column() -> None:
    out = localcare.classify(
        pl.DataFrame(
            {
                "unit_id": ["a"],
                "population": [30000],
                "capabilities": [["enhanced_in_hours", "extended_hours"]],
            }
        )
    )
    assert isinstance(out, pl.DataFrame)
    assert out["tier"].to_list() == ["extended_practice"]


def test_issue_example_pandas_text_column() -> None:
    out = localcare.classify(
        pd.DataFrame(
            {
                "unit_id": ["a"],
                "population": [30000],
                "capabilities": ["enhanced_in_hours;extended_hours"],
            }
        )
    )
    assert isinstance(out, pd.DataFrame)
    assert out["tier"].tolist() == ["extended_practice"]


def test_issue_example_validate_pandas_csv(example_csv: Path) -> None:
    r = localcare.validate(pd.read_csv(example_csv))
    assert not r.has_errors
    assert r.aco_count_range == "3..=4"
    assert isinstance(r.findings, pd.DataFrame)


def test_read_csv_in_each_library_agrees(example_csv: Path) -> None:
    readers = {
        "pandas": pd.read_csv(example_csv),
        "polars": pl.read_csv(example_csv),
        "pyarrow": pacsv.read_csv(example_csv),
    }
    results = {k: normalise(localcare.allocate(v, "£617.4m")) for k, v in readers.items()}
    assert results["pandas"] == results["polars"] == results["pyarrow"]
    reports = {k: localcare.validate(v).finding_keys() for k, v in readers.items()}
    assert reports["pandas"] == reports["polars"] == reports["pyarrow"]


@pytest.mark.parametrize("kind", KINDS)
def test_classify_kinds(kind: str) -> None:
    units = {
        "unit_id": ["a", "b", "c", "d"],
        "population": [5000, 30000, 55000, 300000],
        "capabilities": [
            [],
            ["enhanced_in_hours", "extended_hours"],
            ["enhanced_in_hours", "extended_hours", "mdt", "mental_health", "seven_day"],
            ["mdt"],
        ],
    }
    out = localcare.classify(convert(units, kind))
    assert isinstance(out, EXPECTED_TYPE[kind])
    ref = normalise(localcare.classify(units))
    assert normalise(out) == ref
    assert ref["tier"] == ["gp_practice", "extended_practice", "mcp_hub", "gp_practice"]
    assert ref["band_status"] == ["in_band", "in_band", "overlap", "gap"]


@pytest.mark.parametrize("kind", KINDS)
def test_validate_allocate_kinds(kind: str, footprint: dict[str, list[Any]]) -> None:
    fp = convert(footprint, kind)
    r = localcare.validate(fp)
    assert isinstance(r.findings, EXPECTED_TYPE[kind])
    assert normalise(r.findings) == normalise(localcare.validate(footprint).findings)
    needs = {"unit_id": ["P001", "P002"], "need_index": ["1.2", "0.9"]}
    baselines = {"ACO1": 120_000_000_00, "ACO2": 118_000_000_00, "ACO3": 120_000_000_00, "ACO4": 121_000_000_00}
    out = localcare.allocate(fp, 617_400_000_00, needs=convert(needs, kind), baselines=baselines)
    assert isinstance(out, EXPECTED_TYPE[kind])
    ref = normalise(localcare.allocate(footprint, 617_400_000_00, needs=needs, baselines=baselines))
    assert normalise(out) == ref
    # Money is conserved: the ACOs and the commissioner's pots add up to the budget.
    top = [a for a, p in zip(ref["allocation_pence"], ref["parent_id"]) if p is None]
    assert sum(top) == 617_400_000_00


@pytest.mark.parametrize("kind", KINDS)
def test_settle_kinds(kind: str) -> None:
    results = {
        "unit_id": ["ACO1", "ACO2"],
        "benchmark_pence": [12_000_000_000, 12_000_000_000],
        "actual_pence": [11_580_000_000, 12_100_000_000],
        "assigned_population": [12000, 12000],
        "quality": ["0.90", "0.80"],
    }
    out = localcare.settle(convert(results, kind))
    assert isinstance(out, EXPECTED_TYPE[kind])
    ref = normalise(localcare.settle(results))
    assert normalise(out) == ref
    assert ref["final_pence"][0] == 189_000_000


@pytest.mark.parametrize("kind", KINDS)
def test_prepared_scenarios_kinds(kind: str, footprint: dict[str, list[Any]]) -> None:
    p = localcare.prepare(convert(footprint, kind))
    many = p.allocate_many([617_400_000_00, "£600m"])
    assert all(isinstance(t, EXPECTED_TYPE[kind]) for t in many)
    assert normalise(many[0]) == normalise(localcare.allocate(footprint, 617_400_000_00))
    assert normalise(many[1]) == normalise(p.allocate(600_000_000_00))
    assert len(p) == len(footprint["unit_id"])


@pytest.mark.parametrize("kind", KINDS)
def test_to_pounds_kinds(kind: str, footprint: dict[str, list[Any]]) -> None:
    out = localcare.to_pounds(localcare.allocate(convert(footprint, kind), "£617.4m"))
    d = normalise(out)
    assert d["allocation_pounds"][0] == localcare.pounds(d["allocation_pence"][0])
    assert d["baseline_pounds"][0] is None


def test_pounds_and_money() -> None:
    assert localcare.pounds(61_740_000_000) == "£617,400,000.00"
    assert localcare.pounds(-1205) == "-£12.05"
    assert localcare.pounds(None) is None
    assert localcare.parse_money("£617.4m") == 61_740_000_000
    assert localcare.parse_money("613p") == 613


def test_pandas_nullable_pence_stay_exact(footprint: dict[str, list[Any]]) -> None:
    out = localcare.allocate(pd.DataFrame(footprint), 617_400_000_00)
    assert str(out["baseline_pence"].dtype) == "Int64"
    assert str(out["allocation_pence"].dtype) == "int64"


def test_other_arrow_objects_come_back_as_pyarrow(footprint: dict[str, list[Any]]) -> None:
    class Stream:
        def __init__(self, t: pa.Table) -> None:
            self.t = t

        def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
            return self.t.__arrow_c_stream__(requested_schema)

    out = localcare.classify(Stream(pa.table({"population": [30000]})))
    assert isinstance(out, pa.Table)
    batch = pa.record_batch({"population": [30000]})
    assert localcare.classify(batch).column("tier").to_pylist() == ["gp_practice"]


def test_dictionary_encoded_capabilities() -> None:
    caps = pa.DictionaryArray.from_arrays(
        pa.array([1, 0, None, 1], pa.int32()),
        pa.array(["", "enhanced_in_hours;extended_hours", "teleportation"]),
    )
    t = pa.table({"population": [30000, 30000, 30000, 30000], "capabilities": caps})
    out = localcare.classify(t)
    assert out.column("tier").to_pylist() == ["extended_practice", "gp_practice", "gp_practice", "extended_practice"]
    plain = pa.table({"population": [30000] * 4, "capabilities": caps.cast(pa.string())})
    assert localcare.classify(plain).equals(out)
    bad = pa.table({"population": [1, 2], "capabilities": pa.DictionaryArray.from_arrays(pa.array([0, 2], pa.int8()), caps.dictionary)})
    with pytest.raises(localcare.InputError) as e:
        localcare.classify(bad)
    assert (e.value.row, e.value.column) == (1, "capabilities")


def test_row_order_does_not_matter(example_csv: Path) -> None:
    fp = pd.read_csv(example_csv)
    shuffled = fp.sample(frac=1.0, random_state=3)
    assert localcare.allocate(shuffled, "£617.4m").equals(localcare.allocate(fp, "£617.4m"))
    assert localcare.validate(shuffled).finding_keys() == localcare.validate(fp).finding_keys()


def test_chunked_and_sliced_tables() -> None:
    caps = [["enhanced_in_hours", "extended_hours"]]
    t = pa.concat_tables(
        [
            pa.table({"unit_id": ["a", "b"], "population": [1, 30000], "capabilities": caps * 2}),
            pa.table({"unit_id": ["c"], "population": [60000], "capabilities": caps}),
        ]
    )
    assert t.column("population").num_chunks == 2
    out = localcare.classify(t)
    assert out.column("tier").to_pylist() == ["gp_practice", "extended_practice", "extended_practice"]
    assert localcare.classify(t.slice(1, 2)).column("unit_id").to_pylist() == ["b", "c"]
    assert localcare.classify({"population": []}) == {"population": [], "tier": [], "band_status": [], "reasons": []}


def test_lazyframe_in_gives_a_lazyframe_out() -> None:
    units = pl.DataFrame({"unit_id": ["a", "b"], "population": [30000, 5000]}).lazy()
    out = localcare.classify(units)
    assert isinstance(out, pl.LazyFrame)
    got = out.collect()
    assert got["tier"].to_list() == ["gp_practice", "gp_practice"]
    # The same answer as the DataFrame it stands for.
    assert normalise(got) == normalise(localcare.classify(units.collect()))


def test_duckdb_relation_in_gives_a_relation_out() -> None:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    rel = con.sql(
        "SELECT * FROM (VALUES ('a', 30000, 'enhanced_in_hours;extended_hours'), "
        "('b', 5000, NULL)) t(unit_id, population, capabilities)"
    )
    out = localcare.classify(rel)
    assert isinstance(out, duckdb.DuckDBPyRelation)
    got = out.arrow()
    got = got.read_all() if hasattr(got, "read_all") else got
    assert got.column("tier").to_pylist() == ["extended_practice", "gp_practice"]


def test_result_columns_are_those_the_vectors_state() -> None:
    """Every face's output columns are stated once in tests/vectors/columns.json."""
    import json

    want = json.loads(
        (Path(__file__).resolve().parents[2] / "tests" / "vectors" / "columns.json").read_text()
    )
    hub = "mdt;mental_health;seven_day"
    fp = {
        "unit_id": ["A1", "H1", "H2", "H3", "P1", "P2", "P3"],
        "parent_id": [None, "A1", "A1", "A1", "H1", "H2", "H3"],
        "declared_tier": ["aco", "mcp_hub", "mcp_hub", "mcp_hub", "gp_practice", "gp_practice", "gp_practice"],
        "population": [None, None, None, None, 150000, 150000, 150000],
        "capabilities": ["population_accountability;capitated_budget", hub, hub, hub, None, None, None],
    }
    assert list(localcare.classify({"unit_id": ["a"], "population": [1]})) == want["classification"]["python"]
    assert list(localcare.validate(fp).findings) == want["findings"]["python"]
    assert list(localcare.allocate(fp, 100_000)) == want["allocation"]["python"]
    results = {
        "unit_id": ["ACO1"],
        "benchmark_pence": [100],
        "actual_pence": [90],
        "assigned_population": [12000],
        "quality": ["0.9"],
    }
    assert list(localcare.settle(results)) == want["settlement"]["python"]
    for table in ("classification", "findings", "allocation", "settlement"):
        assert localcare.columns(table) == want[table]["python"]
