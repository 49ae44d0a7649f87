"""Shared paths and helpers for the localcare Python tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import localcare

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
EXAMPLE_CSV = ROOT / "examples" / "kent-medway-synthetic.csv"


def vector_files(kind: str) -> list[Path]:
    files = sorted((VECTORS / kind).glob("*.json"))
    assert files, f"no vectors in {VECTORS / kind}"
    return files


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def ruleset_of(v: dict[str, Any]) -> localcare.Ruleset:
    if "ruleset" in v:
        return localcare.Ruleset.builtin(v["ruleset"])
    return localcare.Ruleset.from_toml(v["ruleset_toml"])


def columns(rows: list[dict[str, Any]], names: list[str] | None = None) -> dict[str, list[Any]]:
    """Rows (dicts, some keys optional) as a dict of columns, missing values None."""
    if names is None:
        names = []
        for r in rows:
            for k in r:
                if k not in names:
                    names.append(k)
    return {n: [r.get(n) for r in rows] for n in names}


@pytest.fixture(scope="session")
def example_csv() -> Path:
    return EXAMPLE_CSV
