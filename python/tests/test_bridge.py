"""The system financial bridge through Python: every tests/vectors/bridge vector (the
values the Rust, CLI and C runners check), the result object, and the waterfall."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

import localcare
from conftest import columns, load, ruleset_of, vector_files

KINDS = ["dict", "pyarrow"]


def as_kind(rows: list[dict[str, Any]], kind: str) -> Any:
    cols = columns(rows)
    return cols if kind == "dict" else pa.table(cols)


def rows_of(t: Any) -> list[dict[str, Any]]:
    d = t if isinstance(t, dict) else t.to_pydict()
    n = len(next(iter(d.values())))
    return [{k: v[i] for k, v in d.items()} for i in range(n)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", vector_files("bridge"), ids=lambda p: p.stem)
def test_vector(path: Any, kind: str) -> None:
    v = load(path)
    rs = ruleset_of(v)
    steps = as_kind(v["steps"], kind) if "steps" in v else None
    activity = as_kind(v["activity"], kind) if "activity" in v else None
    if "expected_error" in v:
        with pytest.raises(localcare.BridgeError) as e:
            localcare.bridge(steps, rs, activity=activity)
        assert v["expected_error"] in str(e.value)
        return
    b = localcare.bridge(steps, rs, activity=activity)
    got = rows_of(b.table)
    want = v["expected"]["rows"]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for k, x in w.items():
            assert g[k] == x, (path.stem, w["step_id"], k)
    assert b.residual_pence == v["expected"]["residual_pence"]


def test_the_built_in_bridge_as_a_result() -> None:
    b = localcare.bridge(ruleset="kent-medway-2017")
    assert isinstance(b.table, pa.Table)
    assert b.table.column_names == localcare.columns("bridge")
    assert b.start_pence == -43_400_000_000
    assert b.residual_pence == -8_400_000_000
    assert b.unquantified == 1
    assert "residual: -£84,000,000.00" in b.explanation
    assert b.title is not None and "Kent and Medway" in b.title
    assert "not quantified" in b._repr_html_()
    assert str(b) == b.explanation
    # The steps given back, with the demo's activity, compute the local-care step.
    activity = {"unit_id": ["ACO1"], "emergency_admissions": [1000]}
    c = localcare.bridge(b.steps, activity=activity)
    local = [r for r in rows_of(c.table) if r["step_id"] == "local_care"][0]
    assert local["basis"] == "model"
    assert local["amount_pence"] == 1000 * 18_000  # 30% avoided x £600 net each
    assert local["stated_pence"] == 16_000_000_000


def test_a_shift_error_in_the_activity_names_its_row() -> None:
    steps = {
        "step_id": ["gap", "local"],
        "kind": ["start", "computed"],
        "order": [None, 1],
        "amount": ["-£10m", None],
        "source": ["invented", None],
    }
    with pytest.raises(localcare.ShiftError) as e:
        localcare.bridge(steps, activity={"unit_id": ["A", "B"], "emergency_admissions": [1, -1]})
    assert e.value.row == 1


def test_waterfall() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import localcare.plot

    b = localcare.bridge()
    ax = localcare.plot.bridge(b)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "do_nothing_gap" and labels[-1] == "residual"
    texts = [t.get_text() for t in ax.texts]
    assert "-£434.0m" in texts and "+£48.0m" in texts and "-£84.0m" in texts
    assert "not quantified" in texts
    # From a table of any kind too.
    assert localcare.plot.bridge(b.table.to_pandas()) is not None
