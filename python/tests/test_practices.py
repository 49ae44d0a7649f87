"""NHS England's practice file (examples/data/, Open Government Licence v3.0: Contains
public sector information licensed under the Open Government Licence v3.0. Source: NHS
England, ICB Place Based Allocation Tool data, 2023/24 and 2024/25) through
`localcare.practices`: the shared vectors (tables, pence per line, need indices), the
committed Kent and Medway tables, the kinds of table given back, and England's 42 ICBs
under one national budget, each ICB's money checked against exact apportionment by its
summed published weighted population, worked out here with Fractions from the text."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

import pytest

import localcare
from conftest import ROOT, columns, load, vector_files

FILE = ROOT / "examples" / "data" / "nhs-practice-weighted-populations-2024-25.csv"
PLACES = ROOT / "examples" / "data" / "kent-medway-places.csv"


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def as_rows(table: dict[str, list[Any]]) -> list[dict[str, str]]:
    names = list(table)
    n = len(table[names[0]]) if names else 0
    return [{k: "" if table[k][i] is None else str(table[k][i]) for k in names} for i in range(n)]


@pytest.mark.parametrize("path", vector_files("practices"), ids=lambda p: p.stem)
def test_vector(path: Any) -> None:
    v = load(path)
    fp, needs = localcare.practices(columns(v["file"]), by=v["by"])
    assert as_rows(fp) == v["expected"]["footprint"]
    assert as_rows(needs) == v["expected"]["needs"]
    a = localcare.allocate(fp, dict(v["expected"]["lines"]), needs=needs, ruleset="england-icb-2024")
    for i, unit in enumerate(a["unit_id"]):
        for line, pence in v["expected"]["allocation_pence"][unit].items():
            assert a[f"{line}_allocation_pence"][i] == pence, (unit, line)
        for c, text in v["expected"]["need_index"].get(unit, {}).items():
            assert a[f"need_index_{c}"][i] == text, (unit, c)


def test_kent_and_medway_from_a_path_is_pandas_and_matches_the_committed_tables() -> None:
    pd = pytest.importorskip("pandas")
    fp, needs = localcare.practices(str(FILE), by=str(PLACES), icb="QKS")
    assert type(fp).__module__.startswith("pandas")
    for table, name in ((fp, "footprint"), (needs, "needs")):
        want = csv_rows((ROOT / "examples" / "data" / f"kent-medway-{name}.csv").read_text())
        got = [
            {k: "" if pd.isna(v) else str(v) for k, v in r.items()} for r in table.to_dict("records")
        ]
        assert got == want


def test_a_table_gives_its_own_kind_and_rows_in_any_order_the_same_tables() -> None:
    pa = pytest.importorskip("pyarrow")
    text = FILE.read_text(encoding="utf-8")
    rows = csv_rows(text)
    qks = [r for r in rows if r["ICS22"] == "QKS"]
    cols = {k: [r[k] for r in qks] for k in qks[0]}
    rev = {k: v[::-1] for k, v in cols.items()}
    one = localcare.practices(pa.table(cols), by="district")
    two = localcare.practices(pa.table(rev), by="district")
    assert isinstance(one[0], pa.Table)
    assert one[0].equals(two[0]) and one[1].equals(two[1])
    assert one[0].num_rows == 1 + 13 + 194


def test_a_practice_the_mapping_misses_is_named() -> None:
    mapping = {"district": ["Ashford"], "place": ["East Kent"]}
    with pytest.raises(localcare.InputError, match="is in no place") as e:
        localcare.practices(str(FILE), by=mapping, icb="QKS")
    assert e.value.column == "Practice_Code"  # type: ignore[attr-defined]


def largest_remainder(amount: int, weights: dict[str, Fraction]) -> dict[str, int]:
    total = sum(weights.values())
    exact = {k: amount * w / total for k, w in weights.items()}
    parts = {k: q.numerator // q.denominator for k, q in exact.items()}
    left = amount - sum(parts.values())
    order = sorted(weights, key=lambda k: (-(exact[k] - parts[k]), k.encode()))
    for k in order[:left]:
        parts[k] += 1
    return parts


def test_england_under_one_national_budget_is_exact_apportionment() -> None:
    fp, needs = localcare.practices(str(FILE), by="icb")
    lines = {"core": 12_345_678_901_234, "primary_medical_care": 1_234_567_890_123}
    a = localcare.allocate(fp, lines, needs=needs, ruleset="england-icb-2024")
    rows = csv_rows(FILE.read_text(encoding="utf-8"))
    icb = a[a["tier"] == "icb"]
    assert len(icb) == 42
    for line, column in (("core", "Final WP"), ("primary_medical_care", "Final PMC WP")):
        weights: dict[str, Fraction] = {}
        for r in rows:
            weights[r["ICS22"]] = weights.get(r["ICS22"], Fraction(0)) + Fraction(r[column])
        want = largest_remainder(lines[line], weights)
        got = dict(zip(icb["unit_id"], icb[f"{line}_allocation_pence"]))
        assert {k: int(v) for k, v in got.items()} == want
        assert sum(int(v) for v in got.values()) == lines[line]
    assert int(icb["allocation_pence"].sum()) == sum(lines.values())
