"""A person-level register into practice needs on one machine, and PreparedFootprint
pickling (what localcare.spark broadcasts)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import localcare

ROOT = Path(__file__).resolve().parents[2]


def banded() -> localcare.Ruleset:
    doc = json.loads(localcare.Ruleset.builtin("kent-medway-2017").to_json())
    doc["allocation"]["age_band_weights"] = {"under_65": "0.9", "over_65": "2.5"}  # ILLUSTRATIVE
    return localcare.Ruleset.from_json(json.dumps(doc))


REGISTER = {
    "person_id": ["a", "b", "c", "d"],
    "practice_id": ["P1", "P1", "P2", "P1"],
    "age_band": ["under_65", "over_65", "under_65", "under_65"],
    "hi_weight": [0.1, 1.25, 0.0000015, 0.2],
}


def test_register_into_needs_in_every_kind() -> None:
    rs = banded()
    want = {
        "unit_id": ["P1", "P2"],
        "hi_weighted_population": ["1.550000", "0.000002"],
        "over_65": [1, 0],
        "under_65": [2, 1],
    }
    assert localcare.needs_from_persons(REGISTER, rs) == want
    t = localcare.needs_from_persons(pa.table(REGISTER), rs)
    assert t.to_pydict() == want
    # Tallied in two parts, added up: the same needs.
    first = {k: v[:2] for k, v in REGISTER.items()}
    second = {k: v[2:] for k, v in REGISTER.items()}
    parts = pa.concat_tables(
        [localcare.tally_persons(pa.table(p), rs) for p in (first, second)]
    )
    assert localcare.needs_from_person_counts(parts, rs).to_pydict() == want


def test_register_errors_name_column_and_row() -> None:
    rs = banded()
    bad = dict(REGISTER, person_id=["a", "b", "a", "d"])
    with pytest.raises(localcare.InputError, match=r"person_id.*row 2.*more than once"):
        localcare.needs_from_persons(bad, rs)
    bad = dict(REGISTER, age_band=["under_65", "teen", "under_65", "under_65"])
    with pytest.raises(localcare.InputError, match=r"age_band.*row 1.*not an age band"):
        localcare.needs_from_persons(bad, rs)
    bad = dict(REGISTER, hi_weight=[0.1, float("nan"), 1.0, 1.0])
    with pytest.raises(localcare.InputError, match=r"hi_weight.*row 1"):
        localcare.needs_from_persons(bad, rs)
    # The built-in ruleset has no age bands.
    with pytest.raises(localcare.InputError, match="age bands are: none"):
        localcare.needs_from_persons(REGISTER)


def test_prepared_footprint_pickles() -> None:
    rs = banded()
    fp = pacsv.read_csv(ROOT / "examples" / "kent-medway-synthetic.csv")
    practices = [
        u
        for u, t in zip(fp.column("unit_id").to_pylist(), fp.column("declared_tier").to_pylist())
        if t == "gp_practice"
    ]
    register = {
        "person_id": [f"n{i}" for i in range(1000)],
        "unit_id": [practices[i % len(practices)] for i in range(1000)],
        "age_band": ["over_65" if i % 3 else "under_65" for i in range(1000)],
    }
    needs = localcare.needs_from_persons(register, rs)
    for kind in (fp, fp.to_pandas(), fp.to_pydict()):
        p = localcare.prepare(kind, needs, rs)
        back = pickle.loads(pickle.dumps(p))
        a, b = p.allocate("£600m"), back.allocate("£600m")
        assert type(a) is type(b)
        assert pa.table(a).equals(pa.table(b)) if not isinstance(a, dict) else a == b
