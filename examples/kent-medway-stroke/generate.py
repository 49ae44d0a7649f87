#!/usr/bin/env python3
"""Generate examples/kent-medway-stroke/{sites,zones,travel}.csv: SYNTHETIC stroke data.

Everything here is invented except the seven site codes, which the Kent and Medway STP's
"Stroke" slides name (seed 000_304436ec5367c809.txt: DVH, TWH, MGH, MMH, WHH, K&C, QEQM),
and the slides' statement that every acute hospital has fewer than 500 confirmed stroke
admissions a year. The sites' positions are rough, the zones, their populations, the
travel times, the capabilities and the measures are made up; none of it describes the
real hospitals or the real review. It exists to show the `kent-medway-stroke-2017`
ruleset at work (`localcare demo`, `localcare appraise`).

Standard library only and deterministic (a fixed seed, no dependence on time or hash
order): `python3 examples/kent-medway-stroke/generate.py` writes byte-identical files.
"""
import csv
import math
import pathlib
import random

HERE = pathlib.Path(__file__).resolve().parent
rng = random.Random(2017)

# Site, rough position (km east, km north of Dartford), current confirmed admissions a
# year (each below 500, as the seed says), capabilities as a HASU (invented), and
# measures (invented; one site thrombolyses fewer than half within 60 minutes and most
# admit fewer than half within 4 hours, as the seed says of Kent and Medway).
SITES = [
    ("DVH", "Darent Valley Hospital", (0, 0), 410,
     "seven_day_consultant;direct_ambulance_access", "0.56", "0.46", "0.45"),
    ("K&C", "Kent and Canterbury Hospital", (78, -14), 300,
     "direct_ambulance_access", "0.52", "0.41", "0.50"),
    ("MGH", "Maidstone General Hospital", (28, -24), 380,
     "seven_day_consultant;direct_ambulance_access;co_located_critical_services", "0.61", "0.52", "0.60"),
    ("MMH", "Medway Maritime Hospital", (22, -4), 460,
     "seven_day_consultant;direct_ambulance_access;co_located_critical_services", "0.47", "0.38", "0.55"),
    ("QEQM", "Queen Elizabeth the Queen Mother Hospital", (102, 2), 390,
     "seven_day_consultant;direct_ambulance_access", "0.58", "0.44", "0.52"),
    ("TWH", "Tunbridge Wells Hospital", (14, -44), 350,
     "seven_day_consultant;direct_ambulance_access", "0.63", "0.49", "0.58"),
    ("WHH", "William Harvey Hospital", (62, -38), 420,
     "seven_day_consultant;direct_ambulance_access;co_located_critical_services;thrombectomy", "0.66", "0.55", "0.62"),
]

# Zones: towns and their rural hinterland, at rough positions, with invented populations
# (about 1.8 million people in all, the order of Kent and Medway's).
TOWNS = [
    ("Dartford", (0, 0)), ("Gravesend", (8, 1)), ("Swanley", (-4, -6)),
    ("Sevenoaks", (0, -20)), ("Edenbridge", (-4, -38)), ("Tonbridge", (12, -34)),
    ("Tunbridge Wells", (14, -46)), ("Cranbrook", (34, -54)), ("Paddock Wood", (22, -38)),
    ("Maidstone", (28, -24)), ("Headcorn", (36, -40)), ("Rochester", (20, -3)),
    ("Chatham", (23, -5)), ("Gillingham", (26, -3)), ("Rainham", (31, -5)),
    ("Strood", (18, -1)), ("Hoo", (22, 4)), ("Sittingbourne", (42, -8)),
    ("Sheerness", (38, 8)), ("Faversham", (56, -10)), ("Whitstable", (70, -4)),
    ("Herne Bay", (80, -2)), ("Canterbury", (78, -14)), ("Margate", (102, 2)),
    ("Broadstairs", (106, -1)), ("Ramsgate", (104, -6)), ("Sandwich", (98, -14)),
    ("Deal", (104, -24)), ("Dover", (98, -36)), ("Folkestone", (84, -46)),
    ("Hythe", (76, -48)), ("Ashford", (62, -38)), ("Tenterden", (46, -54)),
    ("New Romney", (68, -62)), ("Lydd", (62, -66)), ("West Malling", (18, -20)),
]


def km(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])


def main():
    zones = []
    for i, (name, pos) in enumerate(TOWNS, start=1):
        # Invented populations; the east's towns are drawn larger so that the county's
        # patients are not all in the north-west.
        population = rng.randrange(30_000, 60_000, 100)
        if pos[0] > 55:
            population = population * 3 // 2 // 100 * 100
        zones.append((f"Z{i:02d}", name, pos, population))

    with open(HERE / "sites.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["site_id", "name", "admissions", "capabilities",
                    "thrombolysed_60min", "admitted_4h", "esd_share"])
        for sid, name, _, adm, caps, thr, a4, esd in SITES:
            assert adm < 500, f"{sid}: the seed says every hospital is below 500"
            w.writerow([sid, name, adm, caps, thr, a4, esd])

    with open(HERE / "zones.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["zone_id", "population"])
        for zid, _, _, pop in zones:
            w.writerow([zid, pop])

    with open(HERE / "travel.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["zone_id", "site_id", "minutes"])
        for zid, _, zpos, _ in zones:
            for sid, _, spos, *_ in SITES:
                # Road distance about 1.2 times the straight line, at about 75 km/h
                # (an ambulance on blue lights), plus 5 to 9 minutes to get going;
                # whole minutes.
                minutes = round(km(zpos, spos) * 1.2 / 75 * 60) + rng.randint(5, 9)
                w.writerow([zid, sid, minutes])

    total = sum(z[3] for z in zones)
    print(f"{len(SITES)} sites, {len(zones)} zones, {total:,} people "
          f"(about {total * 0.0017:,.0f} strokes a year at the ruleset's incidence)")


if __name__ == "__main__":
    main()
