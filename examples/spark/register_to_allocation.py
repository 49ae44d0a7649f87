"""A worked example of localcare on Apache Spark, end to end, in local mode.

    pip install "localcare[spark]"      # pyspark; Spark needs Java 17 or later
    python examples/spark/register_to_allocation.py [PERSONS]

1. A synthetic person-level register (PERSONS rows, default 500,000: person, practice,
   age band, health-inequalities weight) over the practices of
   `examples/kent-medway-synthetic.csv` becomes practice needs on Spark, exactly.
2. The footprint is prepared with those needs and broadcast; a sweep of 100 budgets runs
   over the executors into one long DataFrame.
3. The practices are classified into tiers per partition (mapInArrow).

Every number is the Rust core's; on a real cluster, replace `local[2]` with the
cluster's master (or use the session your data environment gives you) and read the
register with `spark.read.parquet(...)`. The age bands and their weights are
ILLUSTRATIVE (the built-in rulesets have none).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

import localcare
import localcare.spark as lspark

HERE = Path(__file__).resolve().parent
AGE_BANDS = {  # ILLUSTRATIVE weights, not from the seeds
    "age_00_04": "1.20",
    "age_05_14": "0.60",
    "age_15_44": "0.80",
    "age_45_64": "1.00",
    "age_65_74": "1.60",
    "age_75_84": "2.40",
    "age_85_plus": "3.20",
}


def ruleset_with_age_bands() -> localcare.Ruleset:
    doc = json.loads(localcare.Ruleset.builtin("kent-medway-2017").to_json())
    doc["allocation"]["age_band_weights"] = AGE_BANDS
    return localcare.Ruleset.from_json(json.dumps(doc))


def synthetic_register(practices: list[str], n: int) -> pa.Table:
    rng = np.random.default_rng(2017)
    bands = list(AGE_BANDS)
    return pa.table(
        {
            "person_id": [f"N{i:09d}" for i in range(n)],
            "practice_id": pa.array(practices).take(pa.array(rng.integers(0, len(practices), n))),
            "age_band": pa.array(bands).take(pa.array(rng.integers(0, len(bands), n))),
            "hi_weight": np.round(rng.uniform(0.5, 2.5, n), 6),
        }
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    # Local mode: the Python workers are this interpreter, with localcare installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("localcare-example")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    rs = ruleset_with_age_bands()
    footprint = pacsv.read_csv(HERE.parent / "kent-medway-synthetic.csv")
    tiers = footprint.column("declared_tier").to_pylist()
    practices = [u for u, t in zip(footprint.column("unit_id").to_pylist(), tiers) if t == "gp_practice"]

    # 1. The register into needs: tallied per partition by the core, summed by Spark.
    persons = spark.createDataFrame(synthetic_register(practices, n)).repartition(8)
    needs = lspark.needs_from_persons(persons, rs)
    print(f"{n:,} people into needs for {needs.count()} practices:")
    needs.show(3)
    needs_table = needs.toArrow()
    assert needs_table.sort_by("unit_id").equals(
        localcare.needs_from_persons(synthetic_register(practices, n), rs).cast(needs_table.schema)
    ), "Spark and one machine agree to the millionth"

    # 2. Prepare once, broadcast, sweep 100 budgets from £600m in steps of £1m.
    prepared = localcare.prepare(footprint, needs_table, rs)
    budgets = [60_000_000_000 + 100_000_000 * i for i in range(100)]
    long = lspark.sweep(spark, prepared, budgets)
    print(f"sweep: {long.count():,} rows (100 scenarios x {len(prepared.allocate(budgets[0]))} rows)")
    (
        long.where(F.col("tier") == "aco")
        .groupBy("unit_id")
        .agg(F.min("allocation_pence").alias("lowest"), F.max("allocation_pence").alias("highest"))
        .orderBy("unit_id")
        .show()
    )

    # 3. Classify the practices per partition.
    units = spark.createDataFrame(
        footprint.filter(pc.equal(footprint.column("declared_tier"), "gp_practice")).select(
            ["unit_id", "population", "capabilities"]
        )
    )
    lspark.classify(units, rs).groupBy("tier").count().orderBy("tier").show()
    spark.stop()


if __name__ == "__main__":
    main()
