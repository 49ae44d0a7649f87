"""Ruleset: built-in and loaded, immutable, hashable by id and version, picklable."""

from __future__ import annotations

import copy
import multiprocessing
import pickle
from pathlib import Path

import pytest

import localcare


def test_builtin() -> None:
    rs = localcare.Ruleset.builtin()
    assert rs.id == "kent-medway-2017" == localcare.DEFAULT_RULESET
    assert rs.version and rs.title
    assert rs.tier_ids == ["gp_practice", "extended_practice", "mcp_hub", "aco"]
    t1 = rs.tiers[1]
    assert (t1["id"], t1["min"], t1["max"]) == ("extended_practice", 20_000, 60_000)
    assert t1["requires"] == ["enhanced_in_hours", "extended_hours"]
    assert rs.tiers[3]["parents"] == ["strategic_commissioner"]
    assert "seven_day" in rs.capabilities
    assert rs.sources
    assert rs.has_settlement_policy
    assert "kent-medway-2017" in localcare.Ruleset.builtin_names()


def test_load_toml_json_path(tmp_path: Path) -> None:
    rs = localcare.Ruleset.builtin()
    from_json = localcare.Ruleset.from_json(rs.to_json())
    assert from_json == rs and hash(from_json) == hash(rs)
    p = tmp_path / "rs.json"
    p.write_text(rs.to_json())
    assert localcare.Ruleset.from_path(p) == rs
    assert localcare.Ruleset.from_path(str(p)) == rs
    # A string ruleset argument is a built-in name or a path.
    assert localcare.classify({"population": [1]}, ruleset=str(p))["tier"] == ["gp_practice"]
    assert localcare.classify({"population": [1]}, ruleset="kent-medway-2017")["tier"] == ["gp_practice"]


def test_pcn_variant_changes_answers() -> None:
    import json

    doc = json.loads(localcare.Ruleset.builtin().to_json())
    tier = next(t for t in doc["tiers"] if t["id"] == "extended_practice")
    tier["population"]["max"] = 50_000
    variant = localcare.Ruleset.from_json(json.dumps(doc))
    assert variant != localcare.Ruleset.builtin()
    assert variant.tiers[1]["max"] == 50_000
    assert localcare.classify({"population": [55_000], "capabilities": ["enhanced_in_hours;extended_hours"]}, variant)["tier"] == ["gp_practice"]


def test_immutable() -> None:
    rs = localcare.Ruleset.builtin()
    with pytest.raises(AttributeError):
        rs.id = "x"  # type: ignore[misc]


def test_hash_and_eq() -> None:
    a, b = localcare.Ruleset.builtin(), localcare.Ruleset.from_json(localcare.Ruleset.builtin().to_json())
    assert a == b and len({a, b}) == 1
    assert a != "kent-medway-2017"
    assert {a: 1}[b] == 1


def test_pickle_and_copy() -> None:
    rs = localcare.Ruleset.builtin()
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(rs, protocol=proto))
        assert back == rs and back.id == rs.id
    assert copy.deepcopy(rs) == rs


def _tiers_in_child(rs: localcare.Ruleset) -> list[str]:
    return list(localcare.classify({"population": [30000]}, rs)["tier"])


def test_multiprocessing_spawn() -> None:
    rs = localcare.Ruleset.builtin()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.map(_tiers_in_child, [rs]) == [["gp_practice"]]


def test_reprs() -> None:
    rs = localcare.Ruleset.builtin()
    assert "kent-medway-2017" in repr(rs)
    h = rs._repr_html_()
    assert "<table>" in h and "mcp_hub" in h
    e = localcare.explain(12_000, "enhanced_in_hours")
    assert e.tier == "gp_practice"
    assert e.reasons["extended_practice"] == "population 12,000 below the minimum 20,000, lacks extended_hours"
    assert "<li>" in e._repr_html_() and "gp_practice" in str(e)
    near = localcare.explain(30_000, [])
    assert near.near_miss == "extended_practice"


def test_a_file_named_like_a_builtin_wins_in_every_face(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ruleset="NAME"` is resolved by the core (`Ruleset.load`), as the CLI's
    `--ruleset NAME`: a file of that name wins over the built-in of that id."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "crates/localcare/rulesets/kent-medway-2017.toml").read_text()
    assert 'id = "kent-medway-2017"' in text
    (tmp_path / "kent-medway-2017").write_text(text.replace('id = "kent-medway-2017"', 'id = "shadow"', 1))
    monkeypatch.chdir(tmp_path)
    assert localcare.Ruleset.load("kent-medway-2017").id == "shadow"
    assert localcare.explain(30000, ruleset="kent-medway-2017").tier == "gp_practice"
    monkeypatch.chdir(root)
    assert localcare.Ruleset.load("kent-medway-2017").id == "kent-medway-2017"
    with pytest.raises(localcare.RulesetError, match="england-pcn-2019"):
        localcare.Ruleset.load("no-such-ruleset")
