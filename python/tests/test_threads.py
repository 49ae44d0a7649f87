"""One ruleset shared by 8 threads agrees with single-threaded results; the work runs
with the GIL released."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

import localcare


def test_eight_threads_one_ruleset(example_csv: Path) -> None:
    rs = localcare.Ruleset.builtin()
    fp = pacsv.read_csv(example_csv)
    budgets = [617_400_000_00 + i * 1_000_003 for i in range(32)]

    def job(b: int) -> tuple[Any, ...]:
        a = localcare.allocate(fp, b, ruleset=rs)
        r = localcare.validate(fp, rs)
        c = localcare.classify(fp.select(["unit_id", "population"]).drop_null(), rs)
        return (a.to_pydict(), r.finding_keys(), c.to_pydict())

    single = [job(b) for b in budgets]
    with ThreadPoolExecutor(max_workers=8) as ex:
        threaded = list(ex.map(job, budgets))
    assert threaded == single
    prepared = localcare.prepare(fp, ruleset=rs)
    with ThreadPoolExecutor(max_workers=8) as ex:
        many = list(ex.map(lambda b: prepared.allocate(b).to_pydict(), budgets))
    assert many == [s[0] for s in single]


def test_gil_is_released_during_classify() -> None:
    n = 3_000_000
    units = pa.table({"population": pa.array(range(n), pa.int64())})
    ticks = 0
    done = threading.Event()

    def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.0005)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        start = time.perf_counter()
        localcare.classify(units, reasons=False)
        elapsed = time.perf_counter() - start
    finally:
        done.set()
        t.join()
    # With the GIL held throughout, the ticker could not run at all during the call.
    if elapsed > 0.05:
        assert ticks > 3
