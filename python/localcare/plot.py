"""Optional plots (`pip install localcare[plot]`, matplotlib).

>>> import localcare, localcare.plot
>>> ax = localcare.plot.tiers(localcare.classify(units))          # doctest: +SKIP
>>> ax = localcare.plot.allocation(localcare.allocate(fp, "£617.4m"))  # doctest: +SKIP
>>> ax = localcare.plot.shift(localcare.shift_sweep(activity, [0, 0.1, 0.2, 0.3, 0.4]))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import localcare

__all__ = ["allocation", "shift", "tiers"]


def _columns(table: Any, names: list[str]) -> dict[str, list[Any]]:
    """The named columns of any result table as lists."""
    if isinstance(table, dict):
        return {n: list(table[n]) for n in names}
    root = type(table).__module__.split(".")[0]
    if root == "pandas":
        return {n: [None if v != v else v for v in table[n].tolist()] for n in names}
    if root == "polars":
        return {n: table[n].to_list() for n in names}
    import pyarrow as pa

    t = pa.table(table)
    return {n: t.column(n).to_pylist() for n in names}


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(8, 3.5))
    return ax


def tiers(classified: Any, ruleset: localcare.Ruleset | None = None, *, ax: Any = None) -> Any:
    """Population of each unit (a `classify` result) against its tier's band.

    One row per tier: the band shaded, each unit a point. Returns the matplotlib axes."""
    rs = ruleset or localcare.Ruleset.builtin()
    cols = _columns(classified, ["population", "tier"])
    ax = _axes(ax)
    ids = rs.tier_ids
    top = max([p for p in cols["population"] if p] + [1])
    for i, t in enumerate(rs.tiers):
        lo = t["min"] or 1
        hi = t["max"] if t["max"] is not None else max(top, lo) * 1.5
        if t["min"] is not None:
            ax.barh(i, hi - lo, left=lo, height=0.6, alpha=0.2, color=f"C{i}")
        pops = [p for p, tier in zip(cols["population"], cols["tier"]) if tier == t["id"] and p]
        ax.scatter(pops, [i] * len(pops), s=12, color=f"C{i}", zorder=3)
    ax.set_yticks(range(len(ids)), ids)
    ax.set_xscale("log")
    ax.set_xlabel("population served (log scale)")
    ax.set_title(f"Units by tier against the bands of {rs.id}")
    ax.figure.tight_layout()
    return ax


def allocation(result: Any, *, ax: Any = None) -> Any:
    """Allocation of each ACO (an `allocate` result) against its target, in £m."""
    cols = _columns(result, ["unit_id", "tier", "parent_id", "target_pence", "allocation_pence"])
    rows = [
        (u, t, a)
        for u, tier, p, t, a in zip(
            cols["unit_id"], cols["tier"], cols["parent_id"], cols["target_pence"], cols["allocation_pence"]
        )
        if p is None and tier != "strategic_commissioner"
    ]
    ax = _axes(ax)
    xs = range(len(rows))
    ax.bar([x - 0.2 for x in xs], [t / 1e8 for _, t, _ in rows], width=0.4, label="target")
    ax.bar([x + 0.2 for x in xs], [a / 1e8 for _, _, a in rows], width=0.4, label="allocation")
    ax.set_xticks(list(xs), [u for u, _, _ in rows])
    ax.set_ylabel("£m")
    ax.set_title("Allocation per ACO against target")
    ax.legend()
    ax.figure.tight_layout()
    return ax


def _has(table: Any, name: str) -> bool:
    if isinstance(table, dict):
        return name in table
    cols = getattr(table, "columns", None)
    if cols is None:
        import pyarrow as pa

        cols = pa.table(table).column_names
    return name in list(cols)


def shift(sweep: Any, *, ax: Any = None) -> Any:
    """Net savings and, when the sweep was settled against benchmarks, the settlements,
    summed over the units, against the reduction of admissions (a `shift_sweep`
    result), in £m. Returns the matplotlib axes."""
    names = ["reduction_float", "net_savings_pence"]
    settled = _has(sweep, "final_pence")
    cols = _columns(sweep, names + (["final_pence"] if settled else []))
    # Rows come a reduction at a time; sum each reduction's units, in order.
    order: list[float] = []
    net: dict[float, int] = {}
    final: dict[float, int] = {}
    for i, r in enumerate(cols["reduction_float"]):
        if r not in net:
            order.append(r)
            net[r] = 0
            final[r] = 0
        net[r] += int(cols["net_savings_pence"][i])
        if settled:
            final[r] += int(cols["final_pence"][i] or 0)
    ax = _axes(ax)
    xs = [r * 100 for r in order]
    ax.plot(xs, [net[r] / 1e8 for r in order], marker="o", label="net savings")
    if settled:
        ax.plot(xs, [final[r] / 1e8 for r in order], marker="s", label="settlement")
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xlabel("reduction of emergency admissions (%)")
    ax.set_ylabel("£m")
    ax.set_title("Shift-left: net savings and settlement against the reduction")
    ax.legend()
    ax.figure.tight_layout()
    return ax


def bridge(result_or_table: Any, ax: Any = None) -> Any:
    """The system financial bridge as a waterfall (docs/bridge.md): the start bar from
    zero, each step floating from the running total before it to the one after
    (green closes the gap, red widens it), a step not quantified marked where it
    stands without a bar, and the residual bar from zero; every bar labelled in £m.

    `result_or_table` is a :func:`localcare.bridge` result or its `bridge` table (any
    kind). Amounts are drawn as floats; the exact pence are in the table. Returns the
    matplotlib axes."""
    table = getattr(result_or_table, "table", result_or_table)
    names = ["step_id", "kind", "amount_pence", "running_total_pence"]
    if isinstance(table, dict):
        cols = {n: list(table[n]) for n in names}
    elif type(table).__module__.split(".")[0] == "pandas":
        cols = {n: [None if v != v else v for v in table[n].tolist()] for n in names}
    elif type(table).__module__.split(".")[0] == "polars":
        cols = {n: table[n].to_list() for n in names}
    else:
        import pyarrow as pa

        t = pa.table(table)
        cols = {n: t.column(n).to_pylist() for n in names}
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(cols["step_id"]) + 2), 4.5))

    def millions(pence: int) -> str:
        sign = "-" if pence < 0 else ""
        return f"{sign}£{abs(pence) / 1e8:,.1f}m"

    before = 0
    span = max([abs(v or 0) for v in cols["running_total_pence"]] + [1]) / 1e8
    for i, (kind, amount, total) in enumerate(zip(cols["kind"], cols["amount_pence"], cols["running_total_pence"])):
        if kind in ("start", "residual"):
            bottom, height = 0.0, total / 1e8
            colour = "#4c4c4c" if kind == "start" else ("#1f4e79" if total >= 0 else "#8b0000")
            ax.bar(i, height, bottom=bottom, color=colour, width=0.7)
            # Below a bar that goes down, above one that goes up.
            label, y, up = millions(total), height, height >= 0
        elif amount is None:
            # Not quantified: no bar, a hollow marker at the running total it leaves alone.
            ax.scatter([i], [total / 1e8], marker="D", s=60, facecolors="white", edgecolors="#7f7f7f", zorder=3)
            ax.annotate("not quantified", (i, total / 1e8), textcoords="offset points", xytext=(0, 8),
                        ha="center", fontsize=7, color="#7f7f7f", rotation=90, va="bottom")
            before = total
            continue
        else:
            bottom, height = before / 1e8, amount / 1e8
            ax.bar(i, height, bottom=bottom, color="#2e8b57" if amount >= 0 else "#c0392b", width=0.7)
            # Above the top of a floating bar, whichever way it moves.
            label, y, up = ("+" if amount >= 0 else "") + millions(amount), max(bottom, bottom + height), True
        ax.annotate(label, (i, y), textcoords="offset points", xytext=(0, 3 if up else -10),
                    ha="center", fontsize=7)
        if i + 1 < len(cols["step_id"]):
            ax.plot([i + 0.35, i + 0.65], [total / 1e8] * 2, color="#999999", linewidth=0.8, linestyle=":")
        before = total
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(cols["step_id"])), cols["step_id"], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("£ millions (a deficit is negative)")
    low = min([v / 1e8 for v in cols["running_total_pence"]] + [0.0])
    high = max([v / 1e8 for v in cols["running_total_pence"]] + [0.0])
    ax.set_ylim(min(ax.get_ylim()[0], low - 0.08 * span), max(ax.get_ylim()[1], high + 0.08 * span))
    ax.set_title("System financial bridge: start, steps (green closes the gap), residual")
    return ax
