"""One measurement of a benchmark script, recorded for `scripts/bench` (benches/run.py),
which gathers every script's records into docs/performance.md.

A script calls `record(job, seconds, reference, reference_seconds)` beside what it
prints; with `LOCALCARE_BENCH_RECORD` unset (a script run by hand) nothing is written.
Each record is one JSON line: the job's id (benches/run.py's JOBS names it, its
target and how its ratio reads), the figure in seconds, the reference it was measured
beside in the same run, and that reference's seconds.
"""

from __future__ import annotations

import json
import os
from typing import Any


def record(job: str, seconds: float, reference: str, reference_seconds: float, **extra: Any) -> None:
    path = os.environ.get("LOCALCARE_BENCH_RECORD")
    if not path:
        return
    line = {
        "job": job,
        "seconds": seconds,
        "reference": reference,
        "reference_seconds": reference_seconds,
        **extra,
    }
    with open(path, "a") as f:
        f.write(json.dumps(line) + "\n")
