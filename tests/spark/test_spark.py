"""localcare.spark in Spark local mode (`local[2]`) against the single-machine path.

Each of the three kinds of work (classify/explain, a register into needs, a sweep) is
run on a few hundred thousand generated rows, split over several partitions, and must
give exactly, to the penny and the millionth, the table the single-machine path gives.
Run by `scripts/test-spark`, which installs Java 17 and the pinned pyspark first.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

import localcare
import localcare.spark as lspark

pyspark = pytest.importorskip("pyspark")
from pyspark.sql import SparkSession  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
UNITS = 200_000
PERSONS = 300_000
SCENARIOS = 240

# ILLUSTRATIVE age bands and weights (the built-in rulesets have none; not from the seeds).
AGE_BANDS = {
    "age_00_04": "1.20",
    "age_05_14": "0.60",
    "age_15_44": "0.80",
    "age_45_64": "1.00",
    "age_65_74": "1.60",
    "age_75_84": "2.40",
    "age_85_plus": "3.20",
}


def banded_ruleset() -> localcare.Ruleset:
    doc = json.loads(localcare.Ruleset.builtin("kent-medway-2017").to_json())
    doc["allocation"]["age_band_weights"] = AGE_BANDS
    return localcare.Ruleset.from_json(json.dumps(doc))


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    s = (
        SparkSession.builder.master("local[2]")
        .appName("localcare-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50000")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.catalog.clearCache()
    s.stop()


def plain(t: Any) -> pa.Table:
    """A result with categories as text, every column nullable: how Spark returns it."""
    t = pa.table(t)
    fields = [
        pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type, True)
        for f in t.schema
    ]
    return t.cast(pa.schema(fields))


def same(spark_table: pa.Table, single: Any, keys: list[tuple[str, str]]) -> None:
    want = plain(single).sort_by(keys)
    have = spark_table.cast(want.schema).sort_by(keys)
    assert have.num_rows == want.num_rows
    for name in want.column_names:
        assert have.column(name).equals(want.column(name)), name


def footprint() -> pa.Table:
    return pacsv.read_csv(ROOT / "examples" / "kent-medway-synthetic.csv")


def units_table() -> pa.Table:
    rng = np.random.default_rng(20261123)
    caps = list(localcare.Ruleset.builtin().capabilities)
    pops = rng.integers(0, 400_000, UNITS)
    picks = rng.random((UNITS, len(caps))) < 0.55
    return pa.table(
        {
            "unit_id": [f"U{i:06d}" for i in range(UNITS)],
            "population": pa.array(pops, pa.int64()),
            "capabilities": [[c for c, p in zip(caps, row) if p] for row in picks],
        }
    )


def register(practices: list[str]) -> pa.Table:
    rng = np.random.default_rng(11)
    bands = list(AGE_BANDS)
    # Seven decimal places: every person's weight is rounded to a millionth, half to even.
    weights = np.round(rng.uniform(0.5, 2.5, PERSONS), 7)
    return pa.table(
        {
            "person_id": [f"N{i:08d}" for i in range(PERSONS)],
            "practice_id": pa.array(practices)
            .take(pa.array(rng.integers(0, len(practices), PERSONS))),
            "age_band": pa.array(bands).take(pa.array(rng.integers(0, len(bands), PERSONS))),
            "hi_weight": pa.array(weights, pa.float64()),
        }
    )


def practices() -> list[str]:
    fp = footprint()
    tiers = fp.column("declared_tier").to_pylist()
    return [u for u, t in zip(fp.column("unit_id").to_pylist(), tiers) if t == "gp_practice"]


def test_classify_and_explain_per_partition(spark: SparkSession) -> None:
    units = units_table()
    df = spark.createDataFrame(units).repartition(6).cache()
    single = localcare.classify(units)
    same(lspark.classify(df).toArrow(), single, [("unit_id", "ascending")])
    quick = localcare.classify(units, reasons=False)
    same(lspark.classify(df, reasons=False).toArrow(), quick, [("unit_id", "ascending")])
    # explain is classify with its reasons: checked on a part of the same units.
    part = units.slice(0, 20_000)
    same(
        lspark.explain(spark.createDataFrame(part).repartition(3)).toArrow(),
        localcare.classify(part),
        [("unit_id", "ascending")],
    )
    # The output columns are the description's.
    assert lspark.classify(df).columns == localcare.columns("classification")


def test_register_into_needs_to_the_millionth(spark: SparkSession) -> None:
    rs = banded_ruleset()
    persons = register(practices())
    df = spark.createDataFrame(persons).repartition(5)
    single = localcare.needs_from_persons(persons, rs)
    distributed = lspark.needs_from_persons(df, rs).toArrow()
    same(distributed, single, [("unit_id", "ascending")])
    # An independent check of one practice: its people's weights, each rounded to a
    # millionth half to even, summed exactly.
    first = single.column("unit_id")[0].as_py()
    mine = [
        Decimal(repr(w)).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)
        for p, w in zip(persons.column("practice_id").to_pylist(), persons.column("hi_weight").to_pylist())
        if p == first
    ]
    assert Decimal(single.column("hi_weighted_population")[0].as_py()) == sum(mine)
    # The needs allocate, and the two give the same allocation to the penny.
    fp = footprint()
    a = localcare.allocate(fp, "£600m", needs=single, ruleset=rs)
    b = localcare.allocate(fp, "£600m", needs=distributed, ruleset=rs)
    assert a.column("allocation_pence").equals(b.column("allocation_pence"))


def test_register_errors_reach_the_driver(spark: SparkSession) -> None:
    rs = banded_ruleset()
    twice = pa.table(
        {
            "person_id": ["a", "b", "a"],
            "unit_id": ["P1", "P1", "P2"],
            "age_band": ["age_00_04"] * 3,
        }
    )
    with pytest.raises(localcare.InputError, match="listed more than once"):
        lspark.needs_from_persons(spark.createDataFrame(twice).repartition(3), rs)
    unknown = pa.table({"person_id": ["a"], "unit_id": ["P1"], "age_band": ["teen"]})
    with pytest.raises(Exception, match="not an age band"):
        lspark.needs_from_persons(spark.createDataFrame(unknown), rs)


def test_sweep_over_executors_to_the_penny(spark: SparkSession) -> None:
    rs = banded_ruleset()
    needs = localcare.needs_from_persons(register(practices()), rs)
    prepared = localcare.prepare(footprint(), needs, rs)
    budgets = [60_000_000_000 + 1_234_567 * i for i in range(SCENARIOS)]
    have = lspark.sweep(spark, prepared, budgets).toArrow()
    scenario = localcare.columns("scenarios")[0]
    keys = [(scenario, "ascending"), ("unit_id", "ascending")]
    same(have, prepared.sweep(budgets), keys)
    # And each scenario is a single allocation, to the penny.
    first = plain(prepared.allocate(budgets[0]))
    mine = have.filter(pc.equal(have.column(scenario), "0"))
    got = dict(zip(mine.column("unit_id").to_pylist(), mine.column("allocation_pence").to_pylist()))
    want = dict(zip(first.column("unit_id").to_pylist(), first.column("allocation_pence").to_pylist()))
    assert got == want
    # With baselines, broadcast with the footprint: pace of change on every scenario,
    # and an override column carried through.
    fp = footprint()
    acos = [
        u
        for u, t in zip(fp.column("unit_id").to_pylist(), fp.column("declared_tier").to_pylist())
        if t == "aco"
    ]
    unit, pence = localcare.columns("baselines")[:2]
    baselines = pa.table({unit: acos, pence: [45_000_000_000 // len(acos)] * len(acos)})
    df = spark.createDataFrame(
        pa.table({scenario: ["s7", "s8"], "budget": ["£600m", "£610m"], "pace_rate": ["0.5", None]})
    )
    have = lspark.sweep(spark, prepared, df, baselines).toArrow()
    local = prepared.sweep(
        pa.table({scenario: ["s7", "s8"], "budget": ["£600m", "£610m"], "pace_rate": ["0.5", None]}),
        baselines,
    )
    same(have, local, keys)
