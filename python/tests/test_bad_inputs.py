"""The bad-input matrix (tests/bad-inputs/): every case through Python, with the error
class, message, row and column it states."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import localcare
from conftest import columns

ROOT = Path(__file__).resolve().parents[2]
CLASSES = {
    "input": localcare.InputError,
    "ruleset": localcare.RulesetError,
    "allocation": localcare.AllocationError,
    "settlement": localcare.SettlementError,
    "appraisal": localcare.AppraisalError,
    "bridge": localcare.BridgeError,
}


def cases() -> list[Any]:
    out = []
    for path in sorted((ROOT / "tests" / "bad-inputs").glob("*.json")):
        doc = json.loads(path.read_text())
        for case in doc["cases"]:
            out.append(pytest.param(doc, case, id=f"{path.stem}: {case['name']}"))
    return out


def run(doc: dict[str, Any], case: dict[str, Any]) -> Any:
    if "ruleset_replace" in case:
        text = (ROOT / "crates/localcare/rulesets/kent-medway-2017.toml").read_text()
        old, new = case["ruleset_replace"]
        assert old in text, "the case's fixture drifted from the built-in ruleset"
        rs: Any = localcare.Ruleset.from_toml(text.replace(old, new, 1))
    else:
        rs = case.get("ruleset", doc["ruleset"])
    call = doc["call"]
    if call == "classify":
        return localcare.classify(columns(case["units"]), rs)
    if call == "validate":
        return localcare.validate(columns(case["footprint"]), rs)
    if call == "allocate":
        return localcare.allocate(
            columns(case["footprint"]),
            case["budget_pence"],
            needs=columns(case["needs"]) if case.get("needs") else None,
            baselines=columns(case["baselines"]) if case.get("baselines") else None,
            ruleset=rs,
        )
    if call == "practices":
        by = columns(case["mapping"]) if case["by"] == "mapping" else case["by"]
        return localcare.practices(columns(case["file"]), by=by, ruleset=rs)
    if call == "appraise":
        spo = case.get("sites_per_option")
        return localcare.appraise(
            as_text(columns(case["sites"])),
            as_text(columns(case["zones"])),
            as_text(columns(case["travel"])),
            options=columns(case["options"]) if case.get("options") else None,
            scores=columns(case["scores"]) if case.get("scores") else None,
            ruleset=rs,
            sites_per_option=tuple(spo) if spo else None,
            max_options=case.get("max_options"),
        )
    if call == "bridge":
        return localcare.bridge(
            columns(case["steps"]),
            rs,
            activity=columns(case["activity"]) if case.get("activity") else None,
        )
    return localcare.settle(columns(case["inputs"]), rs)


def as_text(cols: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """A column with any text cell is text throughout, as a CSV holds it (a case may
    write the other cells of such a column as numbers)."""
    return {
        k: [None if x is None else str(x) for x in v] if any(isinstance(x, str) for x in v) else v
        for k, v in cols.items()
    }


@pytest.mark.parametrize(("doc", "case"), cases())
def test_bad_input(doc: dict[str, Any], case: dict[str, Any]) -> None:
    with pytest.raises(CLASSES[case["error"]]) as e:
        run(doc, case)
    assert case["message"] in str(e.value)
    if case["error"] == "input":
        assert e.value.column == case["column"]  # type: ignore[attr-defined]
        assert e.value.row == case["row"]  # type: ignore[attr-defined]
    if case["error"] == "bridge":
        assert e.value.row == case["row"]  # type: ignore[attr-defined]


def test_the_matrix_has_at_least_60_cases() -> None:
    assert len(cases()) >= 60
