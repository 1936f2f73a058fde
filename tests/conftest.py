"""Shared test fixtures: the corpus folder and the Work JSON Schema validator."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
# A PostgreSQL server the archive tests may empty and use (CI starts one: .ci/postgres).
POSTGRES = os.environ.get("FICARCHIVE_TEST_POSTGRES")


def postgres_url() -> str:
    """$FICARCHIVE_TEST_POSTGRES, or a skip saying how to test the PostgreSQL backend."""
    if not POSTGRES:
        pytest.skip(
            "set FICARCHIVE_TEST_POSTGRES=postgresql://… to test the PostgreSQL backend (CI does)"
        )
    return POSTGRES


@pytest.fixture(params=["sqlite", "postgres"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """An empty archive on each backend: an SQLite file, and the PostgreSQL test database."""
    from ficarchive.archive import Archive

    if request.param == "postgres":
        store = Archive.open(postgres_url())
        store.reset_for_tests()  # type: ignore[attr-defined]
    else:
        store = Archive.open(tmp_path / "archive.sqlite")
    yield store
    store.close()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """../shared/corpus, or a skip saying where it was looked for."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; these tests need its real stories")
    return CORPUS


@pytest.fixture(scope="session")
def validate_work() -> Any:
    """A function that validates a Work dict against the JSON Schema kept in the repo."""
    schema = json.loads(
        resources.files("ficarchive").joinpath("schema/work.schema.json").read_text()
    )
    validator = jsonschema.Draft202012Validator(schema)

    def validate(data: dict[str, Any]) -> None:
        validator.validate(data)

    return validate


# -- the command line, in-process ---------------------------------------------------------

CLI_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cli"

# Plain, uncoloured, 100-column output whatever the terminal the tests run from says.
CLI_ENV: dict[str, str | None] = {
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "COLUMNS": "100",
}


@pytest.fixture(scope="session")
def cli_fixtures() -> Path:
    """tests/fixtures/cli: small invented stories for the command-line tests."""
    return CLI_FIXTURES


@pytest.fixture
def run_cli() -> Any:
    """`run_cli(*args, input=None)`: invoke `ficarchive` with CliRunner; returns the Result.

    Exceptions other than SystemExit propagate, so a crash fails the test with its
    traceback instead of hiding in `result.exception`.
    """
    from click.testing import CliRunner

    from ficarchive.cli import main

    runner = CliRunner(env=CLI_ENV)

    def run(*args: object, input: bytes | str | None = None) -> Any:
        return runner.invoke(
            main,
            [str(a) for a in args],
            input=input,
            prog_name="ficarchive",
            catch_exceptions=False,
        )

    return run
