"""Cross-face test: every shared vector through the command line, Python and C, whole
output tables compared, explanation text included.

- The CLI (`target/debug/localcare`) runs each vector from CSV files written here
  (capability lists joined by `;`), with `--format csv`.
- Python runs it from a dict of columns (`localcare.classify`, ...).
- C ran it through the Arrow C Data Interface (`tests/c/test_arrow.c`), which wrote each
  result table to `target/c-test/arrow-tables/<kind>/<vector>.json`.

Each face's columns must be those `tests/vectors/columns.json` states for it, and on the
columns every face shows the three tables must be equal, cell by cell, as text (the CSV
writer's text: whole numbers, `true`/`false`, exact decimals; a null is empty). The C
and Python suites check each vector's expected values, so equality also proves that the
CLI runs the vectors right.

The appraise vectors (`tests/vectors/appraise/`) are compared the same way on their four
tables (`appraisal`, `hurdles`, `volumes`, `evaluation`: the CLI's `--table`, Python's
`Appraisal` attributes, C's `lc_appraisal_table_arrow`), and on the explanation text
(the CLI's text output, `Appraisal.explanation`, `lc_appraisal_explanation`).

The bridge vectors (`tests/vectors/bridge/`) are compared on the `bridge` table and the
bridge in words (the CLI's `--format csv` and `--format text`, Python's `Bridge.table`
and `.explanation`, C's `lc_bridge_arrow` result and its text).

usage: python tests/cross_face.py   (run by scripts/test after the Python and C suites)
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import localcare

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
CLI = ROOT / "target" / "debug" / "localcare"
C_TABLES = ROOT / "target" / "c-test" / "arrow-tables"
COLUMNS = json.loads((VECTORS / "columns.json").read_text())
TABLE_OF = {"classify": "classification", "validate": "findings", "allocate": "allocation", "settle": "settlement"}


def text(v: Any) -> str:
    """A cell as the CSV writer writes it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    names: list[str] = []
    for r in rows:
        for k in r:
            if k not in names:
                names.append(k)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for r in rows:
            w.writerow([";".join(v) if isinstance(v, list) else text(v) for v in (r.get(n) for n in names)])


def columns_of(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    names: list[str] = []
    for r in rows:
        for k in r:
            if k not in names:
                names.append(k)
    return {n: [r.get(n) for r in rows] for n in names}


def cli(kind: str, v: dict[str, Any], tmp: Path) -> tuple[list[str], list[list[str]]]:
    args = [str(CLI)]
    ruleset: list[str] = []
    if "ruleset" in v:
        ruleset = ["--ruleset", v["ruleset"]]
    else:
        (tmp / "ruleset.toml").write_text(v["ruleset_toml"])
        ruleset = ["--ruleset", str(tmp / "ruleset.toml")]
    if kind == "classify":
        write_csv(tmp / "units.csv", v["units"])
        args += ["classify", *ruleset, "--format", "csv", str(tmp / "units.csv")]
    elif kind == "validate":
        write_csv(tmp / "footprint.csv", v["footprint"])
        args += ["validate", *ruleset, "--format", "csv", str(tmp / "footprint.csv")]
    elif kind == "allocate":
        write_csv(tmp / "footprint.csv", v["footprint"])
        args += ["allocate", *ruleset, "--format", "csv", "--budget", f"{v['budget_pence']}p"]
        if v.get("needs"):
            write_csv(tmp / "needs.csv", v["needs"])
            args += ["--needs", str(tmp / "needs.csv")]
        if v.get("baselines"):
            write_csv(tmp / "baselines.csv", v["baselines"])
            args += ["--baselines", str(tmp / "baselines.csv")]
        args.append(str(tmp / "footprint.csv"))
    else:
        write_csv(tmp / "results.csv", v["inputs"])
        args += ["settle", *ruleset, "--format", "csv", str(tmp / "results.csv")]
    out = subprocess.run(args, capture_output=True, text=True)
    assert out.returncode in (0, 1), f"{' '.join(args)}: exit {out.returncode}: {out.stderr}"
    rows = list(csv.reader(io.StringIO(out.stdout)))
    return rows[0], rows[1:]


def python(kind: str, v: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    rs = localcare.Ruleset.builtin(v["ruleset"]) if "ruleset" in v else localcare.Ruleset.from_toml(v["ruleset_toml"])
    if kind == "classify":
        t = localcare.classify(columns_of(v["units"]), rs)
    elif kind == "validate":
        t = localcare.validate(columns_of(v["footprint"]), rs).findings
    elif kind == "allocate":
        t = localcare.allocate(
            columns_of(v["footprint"]),
            v["budget_pence"],
            needs=columns_of(v["needs"]) if v.get("needs") else None,
            baselines=columns_of(v["baselines"]) if v.get("baselines") else None,
            ruleset=rs,
        )
    else:
        t = localcare.settle(columns_of(v["inputs"]), rs)
    names = list(t)
    n = len(t[names[0]]) if names else 0
    return names, [[text(t[c][i]) for c in names] for i in range(n)]


def c(kind: str, path: Path) -> tuple[list[str], list[list[str]]]:
    d = json.loads((C_TABLES / kind / path.name).read_text())
    return d["columns"], [[text(x) for x in r] for r in d["rows"]]


def project(names: list[str], rows: list[list[str]], keep: list[str]) -> list[list[str]]:
    idx = [names.index(k) for k in keep]
    return [[r[i] for i in idx] for r in rows]


APPRAISAL_TABLES = ["appraisal", "hurdles", "volumes", "evaluation"]


def appraise_cli(v: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """The four tables (`--format csv --table T`) and the explanation (`--format text`)."""
    args = [str(CLI), "appraise"]
    if "ruleset" in v:
        args += ["--ruleset", v["ruleset"]]
    else:
        (tmp / "ruleset.toml").write_text(v["ruleset_toml"])
        args += ["--ruleset", str(tmp / "ruleset.toml")]
    for name in ("sites", "zones", "travel", "options", "scores"):
        if v.get(name):
            write_csv(tmp / f"{name}.csv", v[name])
            args += [f"--{name}", str(tmp / f"{name}.csv")]
    for k, w in (v.get("weights") or {}).items():
        args += ["--weight", f"{k}={w}"]
    out: dict[str, Any] = {}
    for table in APPRAISAL_TABLES:
        r = subprocess.run([*args, "--format", "csv", "--table", table], capture_output=True, text=True)
        assert r.returncode == 0, f"{' '.join(args)}: exit {r.returncode}: {r.stderr}"
        rows = list(csv.reader(io.StringIO(r.stdout)))
        out[table] = (rows[0], rows[1:])
    r = subprocess.run([*args, "--format", "text"], capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(args)}: exit {r.returncode}: {r.stderr}"
    out["explanation"] = r.stdout
    return out


def appraise_python(v: dict[str, Any]) -> dict[str, Any]:
    rs = localcare.Ruleset.builtin(v["ruleset"]) if "ruleset" in v else localcare.Ruleset.from_toml(v["ruleset_toml"])
    a = localcare.appraise(
        columns_of(v["sites"]),
        columns_of(v["zones"]),
        columns_of(v["travel"]),
        options=columns_of(v["options"]) if v.get("options") is not None else None,
        scores=columns_of(v["scores"]) if v.get("scores") else None,
        ruleset=rs,
        weights=v.get("weights") or None,
    )
    out: dict[str, Any] = {}
    for table in APPRAISAL_TABLES:
        t = getattr(a, table)
        names = list(t)
        n = len(t[names[0]]) if names else 0
        out[table] = (names, [[text(t[c][i]) for c in names] for i in range(n)])
    out["explanation"] = a.explanation
    return out


def appraise_c(path: Path) -> dict[str, Any]:
    d = json.loads((C_TABLES / "appraise" / path.name).read_text())
    out: dict[str, Any] = {t: (d[t]["columns"], [[text(x) for x in r] for r in d[t]["rows"]]) for t in APPRAISAL_TABLES}
    out["explanation"] = d["explanation"]
    return out


def compare_appraisals(failures: list[str]) -> tuple[int, int]:
    """Every appraise vector's four tables and explanation across the three faces."""
    compared = cells = 0
    for path in sorted((VECTORS / "appraise").glob("*.json")):
        v = json.loads(path.read_text())
        if "expected_error" in v:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            faces = {"cli": appraise_cli(v, Path(tmp)), "python": appraise_python(v), "c": appraise_c(path)}
        where = f"appraise/{path.name}"
        for table in APPRAISAL_TABLES:
            want = COLUMNS[table]
            for face, got in faces.items():
                if got[table][0] != want[face]:
                    failures.append(f"{where} {table}: {face} columns {got[table][0]} != {want[face]}")
            rows = {f: project(*got[table], want["c"]) for f, got in faces.items() if got[table][0] == want[f]}
            for f in ("cli", "python"):
                if f in rows and "c" in rows and rows[f] != rows["c"]:
                    bad = next((i for i, (a, b) in enumerate(zip(rows[f], rows["c"])) if a != b), None)
                    if bad is None:
                        failures.append(f"{where} {table}: {f} has {len(rows[f])} rows, c {len(rows['c'])}")
                    else:
                        failures.append(f"{where} {table} row {bad}: {f} {rows[f][bad]} != c {rows['c'][bad]}")
            cells += sum(len(r) for r in rows.get("c", []))
        for f in ("cli", "python"):
            if faces[f]["explanation"] != faces["c"]["explanation"]:
                failures.append(f"{where}: the {f} explanation differs from C's")
        cells += 1
        compared += 1
    return compared, cells


def bridge_cli(v: dict[str, Any], tmp: Path) -> dict[str, Any]:
    args = [str(CLI), "bridge", "--ruleset", v["ruleset"]]
    if v.get("activity"):
        write_csv(tmp / "activity.csv", v["activity"])
        args += ["--activity", str(tmp / "activity.csv")]
    if v.get("steps"):
        write_csv(tmp / "steps.csv", v["steps"])
        args.append(str(tmp / "steps.csv"))
    r = subprocess.run([*args, "--format", "csv"], capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(args)}: exit {r.returncode}: {r.stderr}"
    rows = list(csv.reader(io.StringIO(r.stdout)))
    t = subprocess.run([*args, "--format", "text"], capture_output=True, text=True)
    assert t.returncode == 0, f"{' '.join(args)}: exit {t.returncode}: {t.stderr}"
    return {"bridge": (rows[0], rows[1:]), "explanation": t.stdout}


def bridge_python(v: dict[str, Any]) -> dict[str, Any]:
    b = localcare.bridge(
        columns_of(v["steps"]) if v.get("steps") else None,
        localcare.Ruleset.builtin(v["ruleset"]),
        activity=columns_of(v["activity"]) if v.get("activity") else None,
    )
    t = b.table if isinstance(b.table, dict) else b.table.to_pydict()
    names = list(t)
    n = len(t[names[0]])
    return {"bridge": (names, [[text(t[c][i]) for c in names] for i in range(n)]), "explanation": b.explanation}


def bridge_c(path: Path) -> dict[str, Any]:
    d = json.loads((C_TABLES / "bridge" / path.name).read_text())
    return {"bridge": (d["columns"], [[text(x) for x in r] for r in d["rows"]]), "explanation": d["explanation"]}


def compare_bridges(failures: list[str]) -> tuple[int, int]:
    """Every bridge vector's table and words across the three faces."""
    compared = cells = 0
    want = COLUMNS["bridge"]
    for path in sorted((VECTORS / "bridge").glob("*.json")):
        v = json.loads(path.read_text())
        if "expected_error" in v:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            faces = {"cli": bridge_cli(v, Path(tmp)), "python": bridge_python(v), "c": bridge_c(path)}
        where = f"bridge/{path.name}"
        for face, got in faces.items():
            if got["bridge"][0] != want[face]:
                failures.append(f"{where}: {face} columns {got['bridge'][0]} != {want[face]}")
        rows = {f: project(*got["bridge"], want["c"]) for f, got in faces.items() if got["bridge"][0] == want[f]}
        for f in ("cli", "python"):
            if f in rows and "c" in rows and rows[f] != rows["c"]:
                failures.append(f"{where}: the {f} table differs from C's")
            if faces[f]["explanation"] != faces["c"]["explanation"]:
                failures.append(f"{where}: the {f} explanation differs from C's")
        cells += sum(len(r) for r in rows.get("c", [])) + 1
        compared += 1
    return compared, cells


def main() -> int:
    if not CLI.exists():
        subprocess.run(["cargo", "build", "-p", "localcare-cli", "--locked"], cwd=ROOT, check=True)
    failures: list[str] = []
    compared = 0
    cells = 0
    for kind, table in TABLE_OF.items():
        want = COLUMNS[table]
        for path in sorted((VECTORS / kind).glob("*.json")):
            v = json.loads(path.read_text())
            if "expected_error" in v:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                faces = {
                    "cli": cli(kind, v, Path(tmp)),
                    "python": python(kind, v),
                    "c": c(kind, path),
                }
            for face, (names, _) in faces.items():
                if names != want[face]:
                    failures.append(f"{kind}/{path.name}: {face} columns {names} != {want[face]}")
            common = want["c"]
            tables = {f: project(n, r, common) for f, (n, r) in faces.items() if n == want[f]}
            if len(tables) == 3 and not (tables["cli"] == tables["python"] == tables["c"]):
                for f in ("cli", "python"):
                    if tables[f] != tables["c"]:
                        for i, (a, b) in enumerate(zip(tables[f], tables["c"])):
                            if a != b:
                                failures.append(f"{kind}/{path.name}: row {i}: {f} {a} != c {b}")
                                break
                        else:
                            failures.append(f"{kind}/{path.name}: {f} has {len(tables[f])} rows, c {len(tables['c'])}")
            compared += 1
            cells += sum(len(r) for r in tables.get("c", []))
    n, k = compare_appraisals(failures)
    compared += n
    cells += k
    n, k = compare_bridges(failures)
    compared += n
    cells += k
    for f in failures:
        print("FAIL:", f)
    print(
        f"cross-face: {compared} vectors, {cells} cells compared across the CLI, Python and C; "
        f"{len(failures)} failures"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
