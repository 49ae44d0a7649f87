"""The first call's latency in a fresh Python process, beside the later calls (a script,
not a test).

    .venv/bin/python benches/python/bench_first_call.py [--runs 5]

Each run starts a new interpreter that reads the bundled example footprint with pyarrow
(its own import is timed apart), then times `import localcare`, the first
`localcare.allocate` and a second one. Prints the median of each over the runs. The
first call used to import pandas through `pa.table(...)` (a third of a second); it now
reads the result through the Arrow C stream.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import pyarrow.csv as pacsv
t = pacsv.read_csv(sys.argv[1])
t1 = time.perf_counter()
import localcare
t2 = time.perf_counter()
localcare.allocate(t, "£617.4m")
t3 = time.perf_counter()
localcare.allocate(t, "£617.4m")
t4 = time.perf_counter()
print(json.dumps({"pyarrow": t1 - t0, "import": t2 - t1, "first": t3 - t2, "second": t4 - t3,
                  "pandas_imported": "pandas" in sys.modules}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    path = ROOT / "examples" / "kent-medway-synthetic.csv"
    runs = []
    for _ in range(a.runs):
        out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    med = {k: statistics.median(r[k] for r in runs) * 1000 for k in ("pyarrow", "import", "first", "second")}
    print(f"fresh process, median of {a.runs} runs (the example footprint, {path.name}):")
    print(f"  import pyarrow + read_csv: {med['pyarrow']:.1f} ms (not localcare's)")
    print(f"  import localcare:          {med['import']:.1f} ms")
    print(f"  first allocate:            {med['first']:.1f} ms")
    print(f"  second allocate:           {med['second']:.1f} ms  (first / second = {med['first'] / med['second']:.2f}x)")
    print(f"  pandas imported by localcare: {any(r['pandas_imported'] for r in runs)}")


if __name__ == "__main__":
    main()
