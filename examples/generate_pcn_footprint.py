#!/usr/bin/env python3
"""Generate examples/england-pcn-synthetic.csv: a SYNTHETIC Primary Care Network footprint.

The numbers are invented.  The file only follows the shape of the 2019 Network
Contract DES (ruleset `england-pcn-2019`): GP practices grouped into Primary Care
Networks that usually serve 30,000 to 50,000 people.  Most networks here are inside
that band; a few are deliberately outside it (a small rural network, a network of one
very large practice), so that validation shows the advisory warning (LC209) for them
and no errors.  None of it is real practice data.  Standard library only, and
deterministic (fixed seed): running `python3 examples/generate_pcn_footprint.py`
again gives a byte-identical CSV.
"""
import csv, pathlib, random

OUT = pathlib.Path(__file__).resolve().parent / "england-pcn-synthetic.csv"
rng = random.Random(2019)
BAND = (30_000, 50_000)
PCN_CAPS = ["network_agreement", "clinical_director", "extended_hours_access"]

# 24 networks: 20 inside the band, 4 outside it (two small, two large), by design.
outside = {"N05": 24_500, "N12": 27_900, "N17": 56_300, "N22": 71_800}
networks = {}
for i in range(1, 25):
    nid = f"N{i:02d}"
    networks[nid] = outside.get(nid) or rng.randint(BAND[0] + 500, BAND[1] - 500)

rows, practice = [], 0
for nid, total in networks.items():
    caps = PCN_CAPS + (["additional_roles"] if rng.random() < 0.7 else [])
    rows.append({"unit_id": nid, "parent_id": "", "declared_tier": "pcn", "population": "",
                 "capabilities": ";".join(caps)})
    # 3 to 8 practices, skewed sizes, adding up to the network's total exactly.
    k = 1 if nid == "N22" else rng.randint(3, 8)  # N22: one very large practice
    w = [rng.lognormvariate(0, 0.5) for _ in range(k)]
    pops = [int(total * x / sum(w)) for x in w]
    pops[0] += total - sum(pops)
    for pop in pops:
        practice += 1
        rows.append({"unit_id": f"GP{practice:03d}", "parent_id": nid, "declared_tier": "gp_practice",
                     "population": str(pop), "capabilities": ""})

# Checks before writing: every network's total is as planned, and exactly the four
# planned networks are outside the band.
for nid, total in networks.items():
    got = sum(int(r["population"]) for r in rows if r["parent_id"] == nid)
    assert got == total, (nid, got, total)
    assert (not BAND[0] <= total <= BAND[1]) == (nid in outside), nid

# The CSV has no room for a comment line (the readers take the first line as the
# header): the file is marked SYNTHETIC by its name and in examples/README.md.
with OUT.open("w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["unit_id", "parent_id", "declared_tier", "population", "capabilities"],
                       lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
print(f"wrote {OUT.name}: {len(networks)} networks, {practice} practices, "
      f"{sum(networks.values()):,} people; outside 30,000-50,000: {', '.join(sorted(outside))}")
