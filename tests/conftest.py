"""Shared test fixtures: the corpus folder and the Work JSON Schema validator."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


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
