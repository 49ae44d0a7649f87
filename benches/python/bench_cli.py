"""The whole-table classify path beside DuckDB, in one run (a script, not a test).

    .venv/bin/python benches/python/bench_cli.py [--rows 1000000] [--localcare PATH]

Makes a units CSV of `--rows` rows (`unit_id,population,capabilities`), then times, best
of `--repeat`:

1. the CLI: `localcare classify UNITS > out.csv` (read CSV, classify with reasons, write
   CSV), wall time and CPU time of the process;
2. Python: pyarrow `read_csv`, `localcare.classify` (with and without reasons),
   pyarrow `write_csv`;
3. the reference, DuckDB with 2 threads: `COPY (SELECT ... CASE ...) TO 'out.csv'`, the
   same tier rules as SQL (see `duckdb_query`).

Prints each time and the ratio to DuckDB (below 1: localcare is faster). DuckDB, numpy
and pyarrow are installed into the running interpreter by pip when missing.

What the DuckDB query does: reads the same CSV, splits the capabilities on `;` (ids
trimmed), and for each row computes `tier` (the highest tier of the ruleset whose band
holds the population and whose required capabilities are all present, the base tier
otherwise) and `band_status` (`overlap` in two or more bands, `gap` in none at or above
the lowest band's minimum, else `in_band`), from the bands and capabilities of the
built-in ruleset read through `localcare.Ruleset`, and writes
`unit_id,population,tier,band_status` as CSV. What it does not do: the `reasons` column
(why not each higher tier, in words: localcare writes it, DuckDB does not, so the
comparison favours DuckDB), checking ids for duplicates, refusing unknown capability ids
or negative populations, and naming the line of a bad row.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def ensure(module: str, requirement: str) -> Any:
    """Imports `module`, installing `requirement` with pip into this interpreter first
    when it is missing (the pin comes from python/requirements-test.txt when listed)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pins = (ROOT / "python" / "requirements-test.txt").read_text().splitlines()
        pin = next((p for p in pins if p.split("==")[0] == requirement), requirement)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", pin])
        return importlib.import_module(module)


CAPS = [
    "",
    "enhanced_in_hours;extended_hours",
    "enhanced_in_hours;extended_hours;mdt;mental_health;seven_day",
    "mdt;mental_health;seven_day;population_accountability;capitated_budget",
    "enhanced_in_hours",
]


def make_csv(path: Path, rows: int) -> None:
    rng = random.Random(5)
    with path.open("w") as f:
        f.write("unit_id,population,capabilities\n")
        for i in range(rows):
            f.write(f"U{i:07d},{rng.randrange(0, 900_000)},{rng.choice(CAPS)}\n")


def duckdb_query(rs: Any, src: Path, dst: Path) -> str:
    """The tier rules of `rs` as one SQL statement (see the module's docstring)."""
    doc = json.loads(rs.to_json())
    tiers = rs.tiers
    if any((t.get("population") or {}).get("advisory") for t in doc["tiers"]):
        raise SystemExit("the DuckDB query implements strict bands only")

    def qualifies(t: dict[str, Any]) -> str:
        parts = [f"population >= {t['min'] or 0}"]
        if t["max"] is not None:
            parts.append(f"population <= {t['max']}")
        parts += [f"list_contains(caps, '{c}')" for c in t["requires"]]
        return " AND ".join(parts)

    def inside(t: dict[str, Any]) -> str:
        upper = f" AND population <= {t['max']}" if t["max"] is not None else ""
        return f"(population >= {t['min']}{upper})::INT"

    banded = [t for t in tiers[1:] if t["min"] is not None]
    lowest = min(t["min"] for t in banded)
    tier_case = " ".join(f"WHEN {qualifies(t)} THEN '{t['id']}'" for t in reversed(tiers[1:]))
    inside_sum = " + ".join(inside(t) for t in banded)
    return f"""
        COPY (
          WITH u AS (
            SELECT unit_id, population,
                   list_transform(string_split(coalesce(capabilities, ''), ';'), lambda x: trim(x)) AS caps
            FROM read_csv('{src}', header = true,
                          columns = {{'unit_id': 'VARCHAR', 'population': 'BIGINT', 'capabilities': 'VARCHAR'}})
          ), b AS (
            SELECT *, {inside_sum} AS bands FROM u
          )
          SELECT unit_id, population,
                 CASE {tier_case} ELSE '{tiers[0]['id']}' END AS tier,
                 CASE WHEN bands >= 2 THEN 'overlap'
                      WHEN bands = 0 AND population >= {lowest} THEN 'gap'
                      ELSE 'in_band' END AS band_status
          FROM b
        ) TO '{dst}' (HEADER, DELIMITER ',')
    """


def best(f: Any, repeat: int) -> tuple[float, float]:
    """Best wall time and the CPU time (user + system) of that run."""
    out: list[tuple[float, float]] = []
    for _ in range(repeat):
        cpu = time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        f()
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        out.append((wall, time.process_time() - cpu + child_cpu))
    return min(out)


def find_cli(given: str | None) -> str:
    if given:
        return given
    built = ROOT / "target" / "release" / "localcare"
    if not built.exists():
        subprocess.check_call(["cargo", "build", "--release", "-p", "localcare-cli"], cwd=ROOT)
    return str(built)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--localcare", help="the localcare binary (default: target/release, built if missing)")
    a = ap.parse_args()
    duckdb = ensure("duckdb", "duckdb")
    ensure("numpy", "numpy")
    pa = ensure("pyarrow", "pyarrow")
    import pyarrow.csv as pacsv

    import localcare

    cli = find_cli(a.localcare)
    rs = localcare.Ruleset.builtin()
    tmp = Path(tempfile.mkdtemp(prefix="localcare-bench-"))
    try:
        src = tmp / "units.csv"
        make_csv(src, a.rows)
        con = duckdb.connect()
        con.execute("SET threads = 2")
        sql = duckdb_query(rs, src, tmp / "duckdb.csv")
        t_db, c_db = best(lambda: con.execute(sql), a.repeat)

        def run_cli() -> None:
            with (tmp / "cli.csv").open("wb") as out:
                subprocess.run([cli, "classify", str(src)], stdout=out, check=True)

        t_cli, c_cli = best(run_cli, a.repeat)

        def python_path(reasons: bool) -> None:
            table = pacsv.read_csv(src)
            out = localcare.classify(table, rs, reasons=reasons)
            pacsv.write_csv(out, tmp / "py.csv")

        t_py, c_py = best(lambda: python_path(True), a.repeat)
        t_py0, c_py0 = best(lambda: python_path(False), a.repeat)

        # The same tiers and band statuses, row for row.
        ours = pacsv.read_csv(tmp / "cli.csv").select(["unit_id", "tier", "band_status"])
        theirs = pacsv.read_csv(tmp / "duckdb.csv").select(["unit_id", "tier", "band_status"])
        assert ours.cast(theirs.schema).equals(theirs), "DuckDB and localcare disagree"

        sys.path.insert(0, str(ROOT / "benches"))
        from record import record

        duck = f"DuckDB COPY ... CASE, 2 threads, no reasons, {a.rows:,} rows"
        record("cli_classify", t_cli, duck, t_db, rows=a.rows, cpu=c_cli, reference_cpu=c_db)
        print(f"classify {a.rows:,} rows, CSV to CSV ({os.cpu_count()} cores; best of {a.repeat}; wall / CPU)")
        print(f"  DuckDB COPY ... CASE, 2 threads, no reasons:  {t_db:.3f}s / {c_db:.3f}s")
        for name, t, c in [
            ("localcare CLI, with reasons", t_cli, c_cli),
            ("pyarrow read_csv + classify + write_csv, with reasons", t_py, c_py),
            ("pyarrow read_csv + classify + write_csv, no reasons", t_py0, c_py0),
        ]:
            print(f"  {name}: {t:.3f}s / {c:.3f}s  (localcare / DuckDB = {t / t_db:.2f}x wall, {c / c_db:.2f}x CPU)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
