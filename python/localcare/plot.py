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
