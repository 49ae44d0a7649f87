"""Stubs agree with the compiled module (mypy.stubtest); the tutorial notebook runs and
is stored without outputs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

PYPROJECT = ROOT / "python" / "pyproject.toml"
ALLOWLIST = ROOT / "python" / "stubtest-allowlist.txt"
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def test_stubtest(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "--mypy-config-file",
            str(PYPROJECT),
            "--allowlist",
            str(ALLOWLIST),
            # The entries are needed only where pyspark is not installed.
            "--ignore-unused-allowlist",
            "localcare",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPY_CACHE_DIR": str(tmp_path / ".mypy_cache")},
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_py_typed_is_shipped() -> None:
    import localcare

    assert (Path(localcare.__file__).parent / "py.typed").exists()
    assert (Path(localcare.__file__).parent / "_localcare.pyi").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: outputs not stripped"
            assert cell.execution_count is None, f"{path.name}: execution count not stripped"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path: Path) -> None:
    assert path.name == "tutorial.ipynb" or NOTEBOOKS
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_tutorial_exists() -> None:
    assert (ROOT / "examples" / "tutorial.ipynb") in NOTEBOOKS
