"""Shared fixtures: the repository's examples and the `dsrf` command-line binary."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


def cli_binary() -> pathlib.Path:
    """The `dsrf` binary the tests compare against: $DSRF_CLI, else the release build
    of this checkout (the test command builds it before running pytest)."""
    path = pathlib.Path(os.environ.get("DSRF_CLI", ROOT / "target" / "release" / "dsrf"))
    if not path.exists():
        pytest.fail(f"the dsrf binary {path} is missing: run `cargo build --release -p dsrf-cli` or set DSRF_CLI")
    return path


def run_cli(*args: str):
    out = subprocess.run([str(cli_binary()), *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture
def examples():
    return EXAMPLES
