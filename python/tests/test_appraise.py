"""The appraisal through Python: every tests/vectors/appraise vector (values and errors),
each kind of table, bad inputs, the explanation and the HTML view."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import localcare
from conftest import load, ruleset_of, vector_files

SITE_KEYS = ["site_id", "name", "admissions", "capabilities"]


def site_columns(sites: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The sites' columns: the described ones, then every measure (any other key)."""
    names = list(SITE_KEYS)
    for s in sites:
        names += [k for k in s if k not in names]
    return {n: [s.get(n) for s in sites] for n in names}


def cols(rows: list[dict[str, Any]], names: list[str]) -> dict[str, list[Any]]:
    return {n: [r.get(n) for r in rows] for n in names}


def inputs(v: dict[str, Any]) -> dict[str, Any]:
    """The vector's tables as dicts of columns, and its weights."""
    t: dict[str, Any] = {
        "sites": site_columns(v["sites"]),
        "zones": cols(
            v["zones"],
            ["zone_id", "strokes", "population"] + (["in_area"] if any("in_area" in z for z in v["zones"]) else []),
        ),
        "travel": cols(v["travel"], ["zone_id", "site_id", "minutes"]),
        "options": None,
        "scores": None,
        "weights": v.get("weights") or None,
    }
    if v.get("options") is not None:
        t["options"] = cols(v["options"], ["option_id", "sites"])
    if v.get("scores"):
        t["scores"] = cols(v["scores"], ["option_id", "criterion", "score"])
    return t


def as_kind(d: dict[str, list[Any]] | None, kind: str) -> Any:
    if d is None or kind == "dict":
        return d
    # A column of nulls only (population of zones all given strokes) is left out.
    d = {k: v for k, v in d.items() if any(x is not None for x in v)}
    table = pa.table(d)
    if kind == "pyarrow":
        return table
    if kind == "pandas":
        import pandas as pd

        # Whole numbers with gaps as pandas' nullable Int64 (a float NaN is not "missing").
        return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    if kind in ("polars", "polars-lazy"):
        import polars as pl

        df = pl.from_arrow(table)
        return df.lazy() if kind == "polars-lazy" else df  # type: ignore[union-attr]
    if kind == "duckdb":
        import duckdb

        return duckdb.from_arrow(table)
    raise AssertionError(kind)


def appraise(v: dict[str, Any], kind: str = "dict") -> localcare.Appraisal:
    t = inputs(v)
    return localcare.appraise(
        as_kind(t["sites"], kind),
        as_kind(t["zones"], kind),
        as_kind(t["travel"], kind),
        options=as_kind(t["options"], kind),
        scores=as_kind(t["scores"], kind),
        ruleset=ruleset_of(v),
        weights=t["weights"],
    )


def rows_of(t: Any) -> list[dict[str, Any]]:
    """A result table of any kind as rows."""
    if hasattr(t, "collect"):  # polars-lazy
        t = t.collect()
    if hasattr(t, "to_dict") and hasattr(t, "iloc"):  # pandas
        return [{k: (None if _na(x) else x) for k, x in r.items()} for r in t.to_dict("records")]
    if hasattr(t, "to_dicts"):  # polars
        return list(t.to_dicts())
    if hasattr(t, "fetch_arrow_table"):  # duckdb
        t = t.fetch_arrow_table()
    d = t if isinstance(t, dict) else t.to_pydict()
    n = len(next(iter(d.values()))) if d else 0
    return [{k: d[k][i] for k in d} for i in range(n)]


def _na(x: Any) -> bool:
    try:
        return x is None or bool(x != x)
    except (TypeError, ValueError):
        return False


def same(got: Any, want: Any) -> bool:
    """Decimals in `expected` are text compared as numbers."""
    if want is None:
        return got is None
    if isinstance(want, str) and isinstance(got, str):
        try:
            return Decimal(got) == Decimal(want)
        except ArithmeticError:
            return got == want
    if isinstance(want, bool):
        return bool(got) == want
    return bool(got == want)


def check_tables(a: localcare.Appraisal, expected: dict[str, Any], name: str) -> None:
    for table in ("appraisal", "hurdles", "volumes", "evaluation"):
        got = rows_of(getattr(a, table))
        want = expected[table]
        assert len(got) == len(want), f"{name} {table}: {len(got)} rows, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            for k, x in w.items():
                assert same(g[k], x), f"{name} {table} row {i}: {k} = {g[k]!r}, expected {x!r}"


VECTORS = vector_files("appraise")


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(path: Path) -> None:
    v = load(path)
    if "expected_error" in v:
        with pytest.raises(localcare.AppraisalError) as e:
            appraise(v)
        assert v["expected_error"] in str(e.value)
        return
    a = appraise(v)
    exp = v["expected"]
    check_tables(a, exp, path.stem)
    assert a.preferred == exp["preferred"]
    want_swap = exp.get("swap")
    if want_swap is None:
        assert a.swap is None
    else:
        s = a.swap
        assert s is not None
        assert s.criterion == want_swap["criterion"]
        assert s.weight == Decimal(want_swap["weight"])
        assert s.tie_weight == Decimal(want_swap["tie_weight"])
        assert s.change == Decimal(want_swap["change"])
        assert s.swaps_at_tie == want_swap["swaps_at_tie"]


HAND = load(Path(VECTORS[0]).parent / "hand-worked.json")
KINDS = ["dict", "pyarrow", "pandas", "polars", "polars-lazy", "duckdb"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_gives_the_same_tables_of_its_own_kind(kind: str) -> None:
    a = appraise(HAND, kind)
    check_tables(a, HAND["expected"], kind)
    t = a.appraisal
    if kind == "dict":
        assert isinstance(t, dict)
    elif kind == "pyarrow":
        assert isinstance(t, pa.Table)
    elif kind == "pandas":
        assert type(t).__module__.startswith("pandas")
    elif kind == "polars":
        assert type(t).__name__ == "DataFrame"
    elif kind == "polars-lazy":
        assert type(t).__name__ == "LazyFrame"
    elif kind == "duckdb":
        assert "duckdb" in type(t).__module__
    assert list(rows_of(t)[0]) == localcare.columns("appraisal")


def test_columns_are_those_the_vectors_state() -> None:
    import json

    from conftest import VECTORS as DIR

    want = json.loads((DIR / "columns.json").read_text())
    a = appraise(HAND)
    for table in ("appraisal", "hurdles", "volumes", "evaluation"):
        assert list(getattr(a, table)) == want[table]["python"] == localcare.columns(table)


def test_explanation_and_html() -> None:
    a = appraise(HAND)
    text = a.explanation
    assert text == str(a)
    assert text.endswith("\n")
    assert "B+C" in text
    assert a.preferred == "B+C"
    assert a.ranking == ["B+C", "A+C"]
    assert a.option_ids == ["A", "B", "C", "A+B", "A+C", "B+C"]
    assert len(a) == 6
    # The preferred option's own explanation closes the whole explanation.
    assert text.endswith(a.explain("B+C"))
    with pytest.raises(localcare.InputError, match="no option `Z`"):
        a.explain("Z")
    html = a._repr_html_()
    assert html.startswith('<div class="localcare-appraisal">')
    assert "<b>B+C</b>" in html and "<table>" in html and "<pre>" in html
    assert "appraise-hand-worked" in repr(a)


def test_weights_and_given_options() -> None:
    v = copy.deepcopy(HAND)
    # Access at 0.3 ties the totals at 1.2; the smaller id, A+C, then ranks first.
    v["weights"] = {"access": Decimal("0.3")}
    assert appraise(v).preferred == "A+C"
    v["weights"] = {"access": "0.4", "travel": 0.6}
    assert appraise(v).preferred == "B+C"
    v["weights"] = {}
    v["options"] = [{"option_id": "north", "sites": ["A", "C"]}, {"option_id": "south", "sites": ["B", "C"]}]
    v["scores"] = [
        {"option_id": "north", "criterion": "access", "score": "0"},
        {"option_id": "south", "criterion": "access", "score": "++"},
    ]
    a = appraise(v)
    assert a.option_ids == ["north", "south"]
    assert a.preferred == "south"


def test_sites_per_option_and_bound() -> None:
    v = HAND
    t = inputs(v)
    rs = ruleset_of(v)
    scores = t["scores"]
    a = localcare.appraise(t["sites"], t["zones"], t["travel"], scores=scores, ruleset=rs, sites_per_option=2)
    assert a.option_ids == ["A+B", "A+C", "B+C"]
    # Scores naming options not on the list are refused, so none here.
    a = localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=rs, sites_per_option=(1, 1))
    assert a.option_ids == ["A", "B", "C"]
    assert a.preferred is None
    assert a.swap is None
    assert rows_of(a.evaluation) == []
    with pytest.raises(localcare.AppraisalError, match="an option of 4 sites cannot be drawn from 3 sites"):
        localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=rs, sites_per_option=4)
    # Past its bound the long list is searched: the best option of each size, with its
    # proven bound; scores of options the search did not find are passed over.
    searched = localcare.appraise(t["sites"], t["zones"], t["travel"], scores=scores, ruleset=rs, max_options=5)
    rows = rows_of(searched.search)
    assert [r["hasus"] for r in rows] == [1, 2]
    assert all(float(r["bound_minutes"]) <= float(r["mean_travel_minutes"]) for r in rows)
    assert sorted(searched.option_ids) == sorted(r["option_id"] for r in rows)
    with pytest.raises(localcare.InputError, match="sites_per_option"):
        localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=rs, sites_per_option="2")  # type: ignore[arg-type]


def test_a_catchment_is_the_projections_assignment() -> None:
    t = inputs(HAND)
    a = localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=ruleset_of(HAND), scores=t["scores"])
    preferred = a.catchment()
    rows = rows_of(preferred)
    assert {r["option_id"] for r in rows} == {a.preferred}
    assert len(rows) == len({r["zone_id"] for r in rows})
    two = rows_of(a.catchment(a.option_ids[:2]))
    assert [r["option_id"] for r in two][:1] == a.option_ids[:1] and len(two) == 2 * len(rows)
    # Each HASU's patients add up to its projected admissions in the volumes table.
    for v in rows_of(a.volumes):
        got = sum(Decimal(r["patients"]) for r in two if r["option_id"] == v["option_id"] and r["site_id"] == v["site_id"])
        if v["option_id"] in a.option_ids[:2]:
            assert got == Decimal(v["projected_admissions"])
    with pytest.raises(localcare.InputError, match="no option `Q`"):
        a.catchment("Q")


def test_a_search_tells_its_progress_and_can_be_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    t = inputs(HAND)
    rs = ruleset_of(HAND)
    args = (t["sites"], t["zones"], t["travel"])
    # By default each size's line goes to standard error, as `--progress` prints it.
    localcare.appraise(*args, ruleset=rs, scores=t["scores"], max_options=5)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines] == ["search 1 of 2", "search 2 of 2"]
    assert "min mean travel, bound" in lines[0]
    localcare.appraise(*args, ruleset=rs, scores=t["scores"], max_options=5, progress=False)
    assert capsys.readouterr().err == ""
    told: list[tuple[int, int, str]] = []
    localcare.appraise(*args, ruleset=rs, scores=t["scores"], max_options=5, progress=lambda d, o, s, line: told.append((d, o, line)))
    assert [(d, o) for d, o, _ in told] == [(1, 2), (2, 2)]
    assert [line for _, _, line in told] == lines

    # The callback's exception stops the search: raised as is, no partial result.
    def stop(done: int, of: int, seconds: float, line: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        localcare.appraise(*args, ruleset=rs, scores=t["scores"], max_options=5, progress=stop)
    with pytest.raises(TypeError, match="progress must be"):
        localcare.appraise(*args, ruleset=rs, scores=t["scores"], max_options=5, progress="yes")  # type: ignore[arg-type]
    # Enumerated, nothing is told.
    localcare.appraise(*args, ruleset=rs, scores=t["scores"], progress=lambda *a: told.append(a))  # type: ignore[arg-type]
    assert len(told) == 2


def bad(mutate: Any) -> localcare.AppraisalError:
    v = copy.deepcopy(HAND)
    mutate(v)
    with pytest.raises(localcare.AppraisalError) as e:
        appraise(v)
    assert isinstance(e.value, localcare.Error)
    return e.value


def test_bad_inputs_are_clear_errors() -> None:
    e = bad(lambda v: v["travel"].append({"zone_id": "Z1", "site_id": "Q", "minutes": 5}))
    assert "Q" in str(e) and e.table == "travel" and e.row == 12
    e = bad(lambda v: v["travel"].append({"zone_id": "Z9", "site_id": "A", "minutes": 5}))
    assert "Z9" in str(e) and e.table == "travel"
    e = bad(lambda v: v["sites"][1].__setitem__("admissions", -1))
    assert e.table == "sites" and e.row == 1 and e.column == "admissions"
    e = bad(lambda v: v["travel"][4].__setitem__("minutes", -15))
    assert e.table == "travel" and e.row == 4 and e.column == "minutes"
    e = bad(lambda v: v["zones"][0].__setitem__("strokes", -400))
    assert e.table == "zones" and e.row == 0
    # Z4 reached only from A: every option without A leaves it unreached.
    e = bad(lambda v: v.__setitem__("travel", [t for t in v["travel"] if not (t["zone_id"] == "Z4" and t["site_id"] != "A")]))
    assert "zone Z4 is reached by none of its sites" in str(e)


def test_no_appraisal_policy() -> None:
    v = copy.deepcopy(HAND)
    del v["ruleset_toml"]
    v["ruleset"] = "kent-medway-2017"
    with pytest.raises(localcare.AppraisalError, match="ruleset kent-medway-2017 has no appraisal policy"):
        appraise(v)


def test_default_ruleset_is_the_stroke_review() -> None:
    t = inputs(HAND)
    # The built-in stroke ruleset has its own hurdles; the call runs under it.
    try:
        a = localcare.appraise(t["sites"], t["zones"], t["travel"])
    except localcare.AppraisalError as e:
        assert "no appraisal policy" not in str(e)
    else:
        assert a.ruleset == "kent-medway-stroke-2017"


def test_unreadable_table_is_an_input_error() -> None:
    t = inputs(HAND)
    with pytest.raises(localcare.InputError):
        localcare.appraise(t["sites"], 42, t["travel"], ruleset=ruleset_of(HAND))
    z = dict(t["zones"])
    z["strokes"] = ["many"] + z["strokes"][1:]
    with pytest.raises(localcare.InputError, match="strokes"):
        localcare.appraise(t["sites"], z, t["travel"], ruleset=ruleset_of(HAND))


def test_releases_the_gil() -> None:
    import threading

    results: list[str | None] = []

    def work() -> None:
        results.append(appraise(HAND).preferred)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == ["B+C"] * 4


def test_issue_26_refusals_are_typed_errors() -> None:
    v = HAND
    t = inputs(v)
    rs = ruleset_of(v)
    # max_options out of range: an InputError naming it, not a bare OverflowError.
    for bad_bound in [-1, 2**64, 0]:
        with pytest.raises(localcare.InputError, match="max_options: .* is out of range"):
            localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=rs, max_options=bad_bound)
    # A weight beyond a decimal, and one beyond MAX_WEIGHT.
    with pytest.raises(localcare.InputError, match="the weight of `access`, 1e[+]?308, is out of range"):
        localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=rs, weights={"access": 1e308})
    with pytest.raises(localcare.AppraisalError, match="weight of `access`: .* is out of range"):
        localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=rs, weights={"access": "3e28"})


def test_issue_26_separators_in_site_ids_are_refused() -> None:
    v = copy.deepcopy(HAND)
    v["sites"][1]["site_id"] = "B+C"
    for r in v["travel"]:
        if r["site_id"] == "B":
            r["site_id"] = "B+C"
    t = inputs(v)
    with pytest.raises(localcare.AppraisalError, match="`B[+]C` contains `[+]`") as e:
        localcare.appraise(t["sites"], t["zones"], t["travel"], ruleset=ruleset_of(v))
    assert (e.value.table, e.value.row, e.value.column) == ("sites", 1, "site_id")


def test_issue_26_the_long_list_counts_no_unreached_zone_as_within() -> None:
    v = copy.deepcopy(HAND)
    v["ruleset_toml"] = v["ruleset_toml"].replace("within_minutes = 30", "within_minutes = 10000000000")
    rs = ruleset_of(v)
    # The ruleset's measure hurdle needs its column (checked before any projection).
    sites = {"site_id": ["A", "B"], "admissions": [0, 0], "thrombolysed_60min": ["0.6", "0.6"]}
    zones = {"zone_id": ["Z1", "Z2", "Z3"], "strokes": [1, 1, 1]}
    travel = {
        "zone_id": ["Z1", "Z2", "Z3"],
        "site_id": ["A", "B", "A"],
        "minutes": ["30.000000001", "10", "10"],
    }
    long = localcare.appraise(sites, zones, travel, ruleset=rs, sites_per_option=2)
    given = localcare.appraise(
        sites, zones, travel, ruleset=rs, options={"option_id": ["A+B"], "sites": ["A;B"]}
    )
    a, b = rows_of(long.appraisal), rows_of(given.appraisal)
    assert a == b
    assert rows_of(long.hurdles) == rows_of(given.hurdles)
    assert Decimal(str(a[0]["share_within"])) == 1


def test_issue_26_the_stroke_ruleset_clips_its_range_at_the_sites_given() -> None:
    ex = Path(__file__).resolve().parents[2] / "examples" / "kent-medway-stroke"
    import csv

    def rows(name: str) -> list[dict[str, str]]:
        with open(ex / name, newline="") as f:
            return list(csv.DictReader(f))

    sites = rows("sites.csv")[:3]
    for s in sites:
        s["admissions"] = int(s["admissions"])  # type: ignore[assignment]
    ids = {s["site_id"] for s in sites}
    travel = [r for r in rows("travel.csv") if r["site_id"] in ids]
    zones = rows("zones.csv")
    for z in zones:
        z["population"] = int(z["population"])  # type: ignore[assignment]
    a = localcare.appraise(
        {k: [s[k] for s in sites] for k in sites[0]},
        {k: [z[k] for z in zones] for k in zones[0]},
        {k: [r[k] for r in travel] for k in travel[0]},
    )
    assert "every set of 2 to 3 of 3 sites" in a.explanation
