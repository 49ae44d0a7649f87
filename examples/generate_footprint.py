#!/usr/bin/env python3
"""Generate examples/kent-medway-synthetic.csv: a SYNTHETIC Kent and Medway footprint.

The numbers are invented.  They only follow the shape of the public 2017 Kent and
Medway STP documents (249 GP practices, about 1.8 million people, and the Encompass
vanguard hub with 16 practices serving about 170,000 people).  None of it is real
practice data.  Standard library only, and deterministic (fixed seed), so running
`python3 examples/generate_footprint.py` again gives a byte-identical CSV.
"""
import csv, math, pathlib, random

OUT = pathlib.Path(__file__).resolve().parent / "kent-medway-synthetic.csv"
rng = random.Random(20171)
BANDS = {"extended_practice": (20_000, 60_000), "mcp_hub": (50_000, 200_000), "aco": (400_000, 800_000)}
REQUIRED = {"gp_practice": [], "extended_practice": ["enhanced_in_hours", "extended_hours"],
            "mcp_hub": ["mdt", "mental_health", "seven_day"], "aco": ["population_accountability", "capitated_budget"]}
CAPS = ["enhanced_in_hours", "extended_hours", "community_care", "social_care", "mdt",
        "mental_health", "seven_day", "population_accountability", "capitated_budget"]
PARENT = {"gp_practice": ("extended_practice", "mcp_hub"), "extended_practice": ("mcp_hub",), "mcp_hub": ("aco",), "aco": ("",)}


def split(total, n, lo, hi, sigma=0.5):
    """Split integer `total` into n integers in [lo, hi] with skewed random shares (water-filling)."""
    assert n * lo <= total <= n * hi, (total, n, lo, hi)
    w = [rng.lognormvariate(0, sigma) for _ in range(n)]
    vals, free, rest = [float(lo)] * n, set(range(n)), float(total - n * lo)
    while rest > 1e-6:  # hand out what is left in proportion to the weights, capping at hi
        sw = sum(w[i] for i in free)
        for i in sorted(free):
            vals[i] += rest * w[i] / sw
        rest = sum(max(0.0, v - hi) for v in vals)
        vals = [min(v, float(hi)) for v in vals]
        free = {i for i in free if vals[i] < hi}
    ints = [int(v) for v in vals]
    for i in sorted(range(n), key=lambda i: ints[i])[: total - sum(ints)]:
        ints[i] += 1  # fix rounding; the smallest values have room below hi
    return ints


def extras(options, p):
    """Optional capabilities, each included independently with probability p."""
    return [c for c in options if rng.random() < p]


# --- Top-down plan: ACOs -> hubs (H01 Encompass-like, H04 in the Tier 1/2 overlap band).
aco_pop = split(rng.randint(1_780_000, 1_820_000), 4, 420_000, 480_000, sigma=0.4)
hubs_per_aco = [4, 3, 4, 3]
hub_pop, hub_aco = {}, {}
for a, (pop, k) in enumerate(zip(aco_pop, hubs_per_aco), start=1):
    fixed = {"H01": rng.randint(168_000, 172_000), "H04": rng.randint(52_000, 58_000)} if a == 1 else {}
    ids = [f"H{len(hub_pop) + j + 1:02d}" for j in range(k)]
    free_ids = [h for h in ids if h not in fixed]
    hub_pop.update(fixed)
    hub_pop.update(zip(free_ids, split(pop - sum(fixed.values()), len(free_ids), 70_000, 195_000, sigma=0.3)))
    hub_aco.update({h: f"ACO{a}" for h in ids})
# Five large (20k-30k) practices, each alone directly under a distinct ordinary hub.
large_roles = ["p017", "both1", "both2", "none", "other"]
large_hub = dict(zip(large_roles, rng.sample([h for h in sorted(hub_pop) if h not in ("H01", "H04")], 5)))
# Practice counts: H01 = 16, H04 = 7; the other 226 in proportion to each hub's ordinary population.
count = {"H01": 16, "H04": 7}
large_pop = {r: rng.randint(20_000, 30_000) for r in large_roles}
ordinary = {h: hub_pop[h] - sum(large_pop[r] for r in large_roles if large_hub[r] == h) for h in hub_pop if h not in count}
quota = {h: 226 * p / sum(ordinary.values()) for h, p in ordinary.items()}
count.update({h: int(q) for h, q in quota.items()})
for h in sorted(quota, key=lambda h: int(quota[h]) - quota[h])[: 249 - sum(count.values())]:
    count[h] += 1  # largest remainder

# --- Build practices and extended practices hub by hub.
practices, exts = [], []  # practices: [pop, parent, role]; exts: [id, parent]
for h in sorted(hub_pop):
    members = [[large_pop[r], h, r] for r in large_roles if large_hub[r] == h]
    n, rest = count[h] - len(members), hub_pop[h] - sum(m[0] for m in members)
    groups = []
    if h == "H05":  # an extended practice in the 50k-60k Tier 1/Tier 2 overlap band
        e = rng.randint(52_000, 58_000)
        groups.append(split(e, 5, 8_000, 15_000))
        n, rest = n - 5, rest - e
    pool = split(rest, n, 4_000 if h == "H01" else 2_000, 15_000)
    want = round(count[h] * rng.uniform(0.30, 0.42)) - sum(map(len, groups))  # practices to put in groups
    chunk, target = [], rng.randint(20_000, 32_000)
    while pool and want > 0:  # greedy: gather practices until a group reaches its target (<= 32k + 15k)
        chunk.append(pool.pop())
        if sum(chunk) >= target:
            groups.append(chunk)
            want, chunk, target = want - len(chunk), [], rng.randint(20_000, 32_000)
        elif len(chunk) == 6:
            pool.insert(0, chunk.pop(0))
    pool += chunk
    for g in groups:
        exts.append([f"X{len(exts) + 1:02d}", h])
        members += [[p, exts[-1][0], "ordinary"] for p in g]
    members += [[p, h, "ordinary"] for p in pool]
    practices += members

# Practice ids: a seeded shuffle, then move the "p017" practice to P017.
rng.shuffle(practices)
i = next(i for i, p in enumerate(practices) if p[2] == "p017")
practices[16], practices[i] = practices[i], practices[16]
ROLE_CAPS = {"p017": ["enhanced_in_hours"], "both1": ["enhanced_in_hours", "extended_hours"],
             "both2": ["enhanced_in_hours", "extended_hours"], "none": [], "other": ["community_care"]}


def practice_caps(role):
    if role in ROLE_CAPS:
        return ROLE_CAPS[role]
    r = rng.random()  # ~55% none, ~28% in-hours only, ~17% in-hours + extended hours
    base = [] if r < 0.55 else ["enhanced_in_hours"] if r < 0.83 else ["enhanced_in_hours", "extended_hours"]
    return base + extras(["community_care", "social_care"], 0.05)


units = {f"ACO{a}": ["", "aco", None, REQUIRED["aco"]] for a in range(1, 5)}  # id -> [parent, tier, pop, caps]
units.update({h: [hub_aco[h], "mcp_hub", None, REQUIRED["mcp_hub"] + extras(["community_care", "social_care"], 0.4)] for h in sorted(hub_pop)})
units.update({x: [h, "extended_practice", None, REQUIRED["extended_practice"] + extras(["community_care", "social_care"], 0.3)] for x, h in exts})
units.update({f"P{k:03d}": [par, "gp_practice", pop, practice_caps(role)] for k, (pop, par, role) in enumerate(practices, 1)})

# --- Check the finished footprint (sizes recomputed from the rows), before anything is written.
size = {u: v[2] or 0 for u, v in units.items()}
npr = {u: 1 if v[1] == "gp_practice" else 0 for u, v in units.items()}  # practices beneath each unit
for u, (par, tier, pop, caps) in units.items():
    if tier == "gp_practice":
        while par:
            size[par], npr[par], par = size[par] + pop, npr[par] + 1, units[par][0]
tiers = {t: sorted(u for u, v in units.items() if v[1] == t) for t in PARENT}
P = sum(size[u] for u in tiers["gp_practice"])
for u, (par, tier, pop, caps) in units.items():
    assert (units[par][1] if par else "") in PARENT[tier], u
    assert set(caps) <= set(CAPS) and set(REQUIRED[tier]) <= set(caps), u
    assert (pop is not None) == (tier == "gp_practice"), u
    if tier in BANDS:
        assert BANDS[tier][0] <= size[u] <= BANDS[tier][1], (u, size[u])
kids = lambda u, t: [c for c in tiers[t] if units[c][0] == u]
pp = {u: size[u] for u in tiers["gp_practice"]}
big = [u for u in pp if pp[u] >= 20_000]
assert tiers["gp_practice"] == [f"P{k:03d}" for k in range(1, 250)] and tiers["aco"] == [f"ACO{a}" for a in range(1, 5)]
assert 1_750_000 <= P <= 1_850_000 and (math.ceil(P / 800_000), P // 400_000) == (3, 4)
assert units["H01"][0] == "ACO1" and npr["H01"] == 16 and 168_000 <= size["H01"] <= 172_000
assert all(2 <= len(kids(x, "gp_practice")) <= 6 for x in tiers["extended_practice"]) and len(tiers["extended_practice"]) < 100
assert 1 / 3 <= sum(units[u][0].startswith("X") for u in pp) / 249 <= 1 / 2
assert all(2_000 <= v <= 15_000 or 20_000 <= v <= 30_000 for v in pp.values()) and 3 <= len(big) <= 8
assert 6_500 <= P / 249 <= 8_000
assert 20_000 <= pp["P017"] <= 60_000 and units["P017"][3] == ["enhanced_in_hours"]
assert sum(set(REQUIRED["extended_practice"]) <= set(units[u][3]) for u in big if u != "P017") >= 2
assert any(not units[u][3] for u in big)
overlap = {t: [u for u in tiers[t] if 50_000 <= size[u] <= 60_000] for t in ("mcp_hub", "extended_practice")}
assert all(overlap.values()), overlap

# --- Write (ACOs, hubs, extended practices, practices; each group by id) and summarise.
with OUT.open("w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["unit_id", "parent_id", "declared_tier", "population", "capabilities"])
    for t in ("aco", "mcp_hub", "extended_practice", "gp_practice"):
        for u in tiers[t]:
            par, _, pop, caps = units[u]
            w.writerow([u, par, t, "" if pop is None else pop, ";".join(caps)])  # required caps first
print(f"wrote {OUT.name}: {len(units)} units, total population {P:,}")
for t in PARENT:
    s = [size[u] for u in tiers[t]]
    print(f"  {t:18} n={len(s):3}  min={min(s):>9,}  max={max(s):>9,}  mean={sum(s) // len(s):>9,}")
for a in tiers["aco"]:
    print(f"  {a}: {size[a]:,} in {len(kids(a, 'mcp_hub'))} hubs, {npr[a]} practices")
print(f"  H01: {size['H01']:,} across {npr['H01']} practices; P017: {pp['P017']:,} {units['P017'][3]}")
print("  large practices: " + ", ".join(f"{u} {pp[u]:,} [{';'.join(units[u][3])}]" for u in big))
print("  Tier 1/2 overlap (50k-60k): " + ", ".join(f"{u} {size[u]:,}" for t in overlap for u in overlap[t]))
