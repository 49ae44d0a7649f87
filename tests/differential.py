"""Differential test: generated valid inputs through the command line, Python with every
table kind (dict, pandas, polars, pyarrow) and C (Arrow), whole output tables compared
cell by cell, explanation text included.

Inputs are drawn from a seeded generator (`--seed`, `--cases`): tables of units to
classify (every band, overlap and gap, random capabilities), footprints of two or three
ACOs over hubs and practices (some with a unit's declared tier or population changed, so
that validation finds something), needs and baselines for allocation, and settlement
batches. They are written as vectors without expected values to
`target/differential/vectors/`, run by C (`target/c-test/test_arrow.static`, which
scripts/test-c builds) into `target/differential/c-tables/`, by the CLI and by Python.

usage: python tests/differential.py [--seed N] [--cases N]   (run by scripts/test)
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

import localcare
from cross_face import COLUMNS, ROOT, TABLE_OF, cli, project, text

OUT = ROOT / "target" / "differential"
CAPS = [
    "enhanced_in_hours",
    "extended_hours",
    "community_care",
    "social_care",
    "mdt",
    "mental_health",
    "seven_day",
    "population_accountability",
    "capitated_budget",
]
HUB = ["mdt", "mental_health", "seven_day"]
ACO = ["population_accountability", "capitated_budget"]


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def footprint(rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for a in range(rng.randint(2, 3)):
        aco = f"A{a}"
        rows.append({"unit_id": aco, "parent_id": None, "declared_tier": "aco", "population": None, "capabilities": ACO})
        for h in range(rng.randint(3, 4)):
            hub = f"{aco}H{h}"
            rows.append({"unit_id": hub, "parent_id": aco, "declared_tier": "mcp_hub", "population": None, "capabilities": HUB})
            for p, pop in enumerate(split(rng, rng.randint(135_000, 195_000), rng.randint(2, 5))):
                caps = rng.sample(CAPS[:4], rng.randint(0, 2))
                rows.append({"unit_id": f"{hub}P{p}", "parent_id": hub, "declared_tier": "gp_practice", "population": str(pop), "capabilities": caps})
    rng.shuffle(rows)  # row order must not matter
    return rows


def gen_classify(rng: random.Random) -> dict[str, Any]:
    bands = [(0, 19_999), (20_000, 60_000), (50_000, 200_000), (200_001, 399_999), (400_000, 800_000), (800_001, 2_000_000)]
    units = []
    for i in range(rng.randint(1, 60)):
        lo, hi = rng.choice(bands)
        units.append({"unit_id": f"U{i}", "population": str(rng.randint(lo, hi)), "capabilities": rng.sample(CAPS, rng.randint(0, 5))})
    return {"ruleset": "kent-medway-2017", "units": units}


def gen_validate(rng: random.Random) -> dict[str, Any]:
    rows = footprint(rng)
    for _ in range(rng.randint(0, 2)):
        r = rng.choice(rows)
        change = rng.choice(["tier", "population", "parent"])
        if change == "tier":
            r["declared_tier"] = rng.choice(["gp_practice", "extended_practice", "mcp_hub", "aco", "nope"])
        elif change == "population" and r["declared_tier"] == "gp_practice":
            r["population"] = rng.choice([None, "-5", str(rng.randint(0, 900_000))])
        else:
            r["parent_id"] = rng.choice([None, "X9", rng.choice(rows)["unit_id"]])
    return {"ruleset": "kent-medway-2017", "footprint": rows}


def gen_allocate(rng: random.Random) -> dict[str, Any]:
    rows = footprint(rng)
    practices = [r["unit_id"] for r in rows if r["declared_tier"] == "gp_practice"]
    acos = [r["unit_id"] for r in rows if r["declared_tier"] == "aco"]
    needs = []
    for p in rng.sample(practices, rng.randint(0, len(practices))):
        n: dict[str, Any] = {"unit_id": p, "need_index": f"{rng.randint(70, 140) / 100:.2f}"}
        if rng.random() < 0.3:
            n["hi_weighted_population"] = str(rng.randint(10_000, 60_000))
        needs.append(n)
    budget = rng.randint(10**9, 10**11)
    baselines = []
    if rng.random() < 0.4:
        baselines = [{"unit_id": a, "baseline_pence": str(rng.randint(budget // 8, budget // 3))} for a in acos]
    return {"ruleset": "kent-medway-2017", "footprint": rows, "needs": needs, "baselines": baselines, "budget_pence": budget}


def gen_settle(rng: random.Random) -> dict[str, Any]:
    inputs = []
    for i in range(rng.randint(1, 20)):
        bench = rng.randint(10**9, 2 * 10**10)
        inputs.append(
            {
                "unit_id": f"ACO{i}",
                "benchmark_pence": str(bench),
                "actual_pence": str(bench * rng.randint(850, 1150) // 1000),
                "assigned_population": str(rng.randint(5_000, 120_000)),
                "quality": f"{rng.randint(0, 100) / 100:.2f}",
            }
        )
    return {"ruleset": "kent-medway-2017", "inputs": inputs}


GENERATORS = {"classify": gen_classify, "validate": gen_validate, "allocate": gen_allocate, "settle": gen_settle}


def columns_of(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    names: list[str] = []
    for r in rows:
        for k in r:
            if k not in names:
                names.append(k)
    return {n: [r.get(n) for r in rows] for n in names}


def as_kind(d: dict[str, list[Any]], kind: str) -> Any:
    if kind == "dict":
        return d
    if kind == "pandas":
        return pd.DataFrame(d)
    if kind == "polars":
        return pl.DataFrame(d)
    return pa.table(d)


def plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if v is pd.NA:
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def table_rows(t: Any) -> tuple[list[str], list[list[str]]]:
    if isinstance(t, dict):
        d = t
    elif isinstance(t, pd.DataFrame):
        d = {c: [plain(x) for x in t[c].astype(object).tolist()] for c in t.columns}
    elif isinstance(t, pl.DataFrame):
        d = t.to_dict(as_series=False)
    else:
        d = t.to_pydict()
    names = list(d)
    n = len(d[names[0]]) if names else 0
    return names, [[text(plain(d[c][i])) for c in names] for i in range(n)]


def python(kind: str, v: dict[str, Any], table_kind: str) -> tuple[list[str], list[list[str]]]:
    rs = localcare.Ruleset.builtin(v["ruleset"])
    k = lambda rows: as_kind(columns_of(rows), table_kind)  # noqa: E731
    if kind == "classify":
        return table_rows(localcare.classify(k(v["units"]), rs))
    if kind == "validate":
        return table_rows(localcare.validate(k(v["footprint"]), rs).findings)
    if kind == "allocate":
        t = localcare.allocate(
            k(v["footprint"]),
            v["budget_pence"],
            needs=k(v["needs"]) if v["needs"] else None,
            baselines=k(v["baselines"]) if v["baselines"] else None,
            ruleset=rs,
        )
        return table_rows(t)
    return table_rows(localcare.settle(k(v["inputs"]), rs))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--cases", type=int, default=75, help="inputs per call (four calls)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    shutil.rmtree(OUT, ignore_errors=True)
    vectors = OUT / "vectors"
    for kind, gen in GENERATORS.items():
        (vectors / kind).mkdir(parents=True)
        for i in range(args.cases):
            (vectors / kind / f"case-{i:04}.json").write_text(json.dumps(gen(rng)))
    c_bin = ROOT / "target" / "c-test" / "test_arrow.static"
    c_out = OUT / "c-tables"
    # A case the rules refuse is compared by its error in Python below; test_arrow
    # reports it as a failed check and writes no table for it.
    subprocess.run([str(c_bin), str(vectors), str(c_out)], capture_output=True, text=True)
    failures: list[str] = []
    compared = cells = refused = 0
    for kind, table in TABLE_OF.items():
        want = COLUMNS[table]
        for path in sorted((vectors / kind).glob("*.json")):
            v = json.loads(path.read_text())
            c_file = c_out / kind / path.name
            faces: dict[str, tuple[list[str], list[list[str]]]] = {}
            errors: dict[str, str] = {}
            for tk in ("dict", "pandas", "polars", "pyarrow"):
                try:
                    faces[f"python-{tk}"] = python(kind, v, tk)
                except localcare.Error as e:
                    errors[f"python-{tk}"] = str(e)
            if errors:
                # The rules refused the input (an allocation over a footprint with
                # errors): every Python kind and C must refuse it with the same message.
                refused += 1
                if len(errors) != 4 or len(set(errors.values())) != 1 or c_file.exists():
                    failures.append(f"{kind}/{path.name}: refused unevenly: {errors}; C table written: {c_file.exists()}")
                continue
            with tempfile.TemporaryDirectory() as tmp:
                faces["cli"] = cli(kind, v, Path(tmp))
            d = json.loads(c_file.read_text())
            faces["c"] = (d["columns"], [[text(x) for x in r] for r in d["rows"]])
            common = want["c"]
            tables = {}
            for face, (names, rows) in faces.items():
                key = "python" if face.startswith("python") else face
                if names != want[key]:
                    failures.append(f"{kind}/{path.name}: {face} columns {names}")
                    continue
                tables[face] = project(names, rows, common)
            for face, t in tables.items():
                if t != tables.get("c"):
                    diff = next((f"row {i}: {a} != {b}" for i, (a, b) in enumerate(zip(t, tables["c"])) if a != b), f"{len(t)} rows != {len(tables['c'])}")
                    failures.append(f"{kind}/{path.name}: {face} differs from c: {diff}")
            compared += 1
            cells += sum(len(r) for r in tables.get("c", []))
    for f in failures[:20]:
        print("FAIL:", f)
    print(
        f"differential (seed {args.seed}): {compared} generated inputs, {cells} cells compared across the CLI, "
        f"Python (dict, pandas, polars, pyarrow) and C; {refused} refused alike; {len(failures)} failures"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
