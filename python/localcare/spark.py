"""localcare on Apache Spark (docs/scale.md#spark): the same answers, to the penny, over a cluster.

Install with ``pip install localcare[spark]``. Three kinds of work are spread:

- :func:`classify` and :func:`explain`: row-wise, per partition through Arrow
  (``mapInArrow``); every partition is classified by the Rust core, and the result has
  the columns of :func:`localcare.classify` (categories as text).
- :func:`needs_from_persons`: a person-level register (tens of millions of rows) into
  practice needs. Each partition is tallied by the core (per practice and age band: a
  count, and each person's weight rounded to an integer millionth and summed); Spark adds
  the tallies with ``sum`` over longs; the small summed table is turned into needs by
  the same core code as :func:`localcare.needs_from_persons`. No float is ever summed.
- :func:`sweep`: many budgets on one prepared footprint, the scenarios split over the
  executors, the prepared footprint (and its ruleset) broadcast; one long DataFrame.

Nothing here holds a column name or a rule: columns come from the descriptions the core
gives (:func:`localcare.columns`) or from the schema of the core's own result.

Errors raised on an executor reach the driver inside Spark's ``PythonException`` with
the core's message; a row number in it counts from the start of the Arrow batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

import localcare
from localcare import InputError, PreparedFootprint, Ruleset, _localcare

if TYPE_CHECKING:  # pragma: no cover - types only
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

__all__ = ["classify", "explain", "needs_from_persons", "sweep", "tally_persons"]


def _plain(schema: pa.Schema) -> pa.Schema:
    """The core's result schema as Spark takes it: categories (Arrow dictionaries) as
    their values, every column nullable."""
    fields = []
    for f in schema:
        t = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
        fields.append(pa.field(f.name, t, nullable=True))
    return pa.schema(fields)


def _spark_schema(schema: pa.Schema) -> StructType:
    from pyspark.sql.pandas.types import from_arrow_schema

    spark_schema: StructType = from_arrow_schema(schema)
    return spark_schema


def _arrow_schema(df: DataFrame) -> pa.Schema:
    """The Arrow schema Spark hands a DataFrame's partitions over in."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema)


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def _table(raw: Any) -> pa.Table:
    """The core's result (an Arrow PyCapsule table) as a pyarrow table."""
    return pa.table(raw)


def _batches(table: Any, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The core's result as batches of `schema` (categories cast to text)."""
    yield from pa.table(table).cast(schema).to_batches()


def _rs(ruleset: localcare.RulesetLike) -> Ruleset | None:
    return localcare._ruleset(ruleset)


def classify(df: DataFrame, ruleset: localcare.RulesetLike = None, reasons: bool = True) -> DataFrame:
    """Classifies a DataFrame of units (`unit_id`, `population`, `capabilities`: an
    array of ids or `;`-separated text), partition by partition.

    The result has the columns :func:`localcare.classify` gives, in its order, with
    `tier` and `band_status` as text; row for row what the single-machine path gives."""
    rs = _rs(ruleset)
    # The output schema is the core's: the result of classifying no rows of this input.
    out = _plain(_table(_localcare.classify(_empty(_arrow_schema(df)), rs, reasons=reasons)).schema)

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            yield from _batches(_localcare.classify(b, rs, reasons=reasons), out)

    return df.mapInArrow(run, _spark_schema(out))


def explain(df: DataFrame, ruleset: localcare.RulesetLike = None) -> DataFrame:
    """Classifies and explains every unit of a DataFrame: :func:`classify` with its
    `reasons` column, which says, tier by tier, what keeps the unit from each higher
    tier (the table form of :func:`localcare.explain`)."""
    return classify(df, ruleset, reasons=True)


def tally_persons(df: DataFrame, ruleset: localcare.RulesetLike = None) -> DataFrame:
    """A register counted by practice and age band (`person_counts`), summed by Spark.

    Every partition is tallied by the core (counts, and weights in integer millionths);
    the tallies are then grouped by their text columns (practice, age band) and their
    whole-number columns summed as longs."""
    from pyspark.sql import functions as F

    rs = _rs(ruleset)
    out = _plain(_table(_localcare.tally_persons(_empty(_arrow_schema(df)), rs)).schema)

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            yield from _batches(_localcare.tally_persons(b, rs), out)

    tallied = df.mapInArrow(run, _spark_schema(out))
    keys = [f.name for f in out if pa.types.is_string(f.type)]
    sums = [F.sum(f.name).alias(f.name) for f in out if pa.types.is_integer(f.type)]
    return tallied.groupBy(*keys).agg(*sums).select(*out.names)


def _check_unique_persons(df: DataFrame) -> None:
    """A person listed twice, in any two partitions, is an error (as on one machine)."""
    from pyspark.sql import functions as F

    person = localcare.columns("persons")[0]  # the description's first column: the id
    twice = df.groupBy(person).agg(F.count(F.lit(1)).alias("n")).where("n > 1").limit(1).collect()
    if twice:
        raise InputError(
            f"persons: column `{person}`: person {twice[0][0]!r} is listed more than once; "
            "a register counts each person once"
        )


def needs_from_persons(
    df: DataFrame,
    ruleset: localcare.RulesetLike = None,
    *,
    check_duplicates: bool = True,
) -> DataFrame:
    """A person-level register (`persons`: `person_id`, `unit_id`, `age_band`,
    `hi_weight`) into practice needs, exactly as :func:`localcare.needs_from_persons`.

    The register is tallied and summed by Spark (:func:`tally_persons`); the summed table
    (one row per practice and age band) is brought to the driver and finished by the
    core. The result is a small DataFrame: one row per practice, the columns of the
    needs table :func:`localcare.needs_from_persons` gives. `check_duplicates` runs one
    more aggregation over the person ids (a repeated person is an error)."""
    rs = _rs(ruleset)
    if check_duplicates:
        _check_unique_persons(df)
    summed = tally_persons(df, rs).toArrow()
    needs = _table(_localcare.needs_from_person_counts(summed, rs))
    return df.sparkSession.createDataFrame(needs.cast(_plain(needs.schema)))


def _sweep_scenarios(
    prepared: PreparedFootprint[Any], scenarios: pa.Table, baselines: Any, schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """One partition's scenarios as rows of the long `sweep` table: the core's own sweep
    (:meth:`PreparedFootprint.sweep`), so each scenario equals a single allocation."""
    t = pa.table(prepared._inner.sweep(scenarios, baselines, as_dict=False))
    yield from t.cast(schema).to_batches()


def sweep(
    spark: SparkSession,
    prepared: PreparedFootprint[Any],
    scenarios: DataFrame | Iterable[int | str],
    baselines: Any = None,
    *,
    partitions: int | None = None,
) -> DataFrame:
    """Runs many scenarios on one prepared footprint, split over the executors.

    `scenarios` is a list of budgets (int pence, or money text such as ``"£617.4m"``),
    with ids ``"0"``, ``"1"``, ..., or a DataFrame of the `scenarios` table (`scenario`,
    `budget_pence` or `budget`, and the optional policy overrides). `baselines` is a
    `baselines` table (a row may name its `scenario`), as for
    :meth:`PreparedFootprint.sweep`. The prepared footprint, its ruleset and the
    baselines are broadcast once; each partition's scenarios run as one core sweep. The
    result is one long DataFrame with the `sweep` table's columns, each scenario's rows
    those of a single :meth:`PreparedFootprint.allocate`, to the penny.
    """
    from pyspark.sql import DataFrame as SparkDataFrame

    if isinstance(scenarios, SparkDataFrame):
        df = scenarios.repartition(partitions) if partitions else scenarios
        sample = df.limit(1).toArrow()
    else:
        table = pa.table(localcare._budget_list(list(scenarios)))
        if table.num_rows == 0:
            raise InputError("scenarios: expected at least one budget")
        n = partitions or spark.sparkContext.defaultParallelism
        df = spark.createDataFrame(table).repartition(max(1, min(n, table.num_rows)))
        sample = table.slice(0, 1)
    if sample.num_rows == 0:
        raise InputError("scenarios: expected at least one scenario")
    base = localcare._picklable(localcare._opt_table(baselines))
    # The output schema is the core's: the sweep of the first scenario. This also checks
    # the columns on the driver, before any executor starts.
    schema = _plain(pa.table(prepared._inner.sweep(sample, base, as_dict=False)).schema)
    shared = spark.sparkContext.broadcast((prepared, base))

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        p, b = shared.value
        for batch in batches:
            yield from _sweep_scenarios(p, pa.Table.from_batches([batch]), b, schema)

    return df.mapInArrow(run, _spark_schema(schema))
