"""localcare on Apache Spark (DESIGN §11): the same answers, to the penny, over a cluster.

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

from collections.abc import Iterable, Iterator, Sequence
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


def _allocate_scenarios(
    prepared: PreparedFootprint,
    ids: Sequence[int],
    budgets: Sequence[Any],
    baselines: Any,
    scenario_column: str,
    schema: pa.Schema,
) -> Iterator[pa.RecordBatch]:
    """One partition's scenarios, each allocated on the prepared footprint, as rows of
    the long table (the scenario's number first). The one place a sweep allocates:
    where `PreparedFootprint.sweep` exists, it can replace this loop."""
    for sid, budget in zip(ids, budgets):
        t = pa.table(prepared._inner.allocate(budget, baselines))
        t = t.add_column(0, scenario_column, pa.array([sid] * t.num_rows, pa.int64()))
        yield from t.cast(schema).to_batches()


def sweep(
    spark: SparkSession,
    prepared: PreparedFootprint,
    scenarios: DataFrame | Iterable[int | str],
    baselines: Any = None,
    *,
    partitions: int | None = None,
) -> DataFrame:
    """Allocates many budgets on one prepared footprint, split over the executors.

    `scenarios` is a list of budgets (int pence, or money text such as ``"£617.4m"``),
    numbered from 0, or a DataFrame of `scenarios` (`scenario`, `budget_pence` or
    `budget`). `baselines` (ACO baselines, for pace of change) apply to every scenario.
    The prepared footprint, its ruleset and the baselines are broadcast once. The result
    is one long DataFrame: `scenario`, then the columns of
    :meth:`PreparedFootprint.allocate`'s table, a scenario's rows in that table's order.
    """
    from pyspark.sql import DataFrame as SparkDataFrame

    described = localcare.columns("scenarios")
    scenario_column = described[0]
    if isinstance(scenarios, SparkDataFrame):
        df = scenarios.repartition(partitions) if partitions else scenarios
        first: Any = None
    else:
        pence = [b if isinstance(b, int) else localcare.parse_money(b) for b in scenarios]
        if not pence:
            raise InputError("scenarios: expected at least one budget")
        n = partitions or spark.sparkContext.defaultParallelism
        table = pa.table(
            {
                scenario_column: pa.array(range(len(pence)), pa.int64()),
                described[1]: pa.array(pence, pa.int64()),
            }
        )
        df = spark.createDataFrame(table).repartition(max(1, min(n, len(pence))))
        first = pence[0]
    names = df.columns
    budget_column = next((c for c in names if c != scenario_column), None)
    if scenario_column not in names or budget_column is None:
        raise InputError(
            f"scenarios: expected the columns {', '.join(described)} (or a budget column), got {', '.join(names)}"
        )
    base = localcare._picklable(localcare._opt_baselines(baselines))
    if first is None:
        row = df.select(budget_column).first()
        if row is None:
            raise InputError("scenarios: expected at least one scenario")
        first = row[0]
    # The output schema is the core's: one scenario's allocation, numbered.
    sample = pa.table(prepared._inner.allocate(first, base))
    numbers = pa.array([0] * sample.num_rows, pa.int64())
    schema = _plain(sample.add_column(0, scenario_column, numbers).schema)
    shared = spark.sparkContext.broadcast((prepared, base))

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        p, b = shared.value
        for batch in batches:
            ids = batch.column(scenario_column).to_pylist()
            budgets = batch.column(budget_column).to_pylist()
            yield from _allocate_scenarios(p, ids, budgets, b, scenario_column, schema)

    return df.mapInArrow(run, _spark_schema(schema))
