"""The trained structure labeller: a linear-chain CRF over a document's units.

The model (``model/structure.crfsuite``) is built by ``training/build_model.py`` from the
shared corpus and shipped in the package; it is opened once per process (CRFsuite maps
the file, so opening is a few milliseconds) and never touches the network. Each unit gets
one label of `LABELS` and the marginal probability of every label, which the assembly
turns into the Work's fields and the confidence it reports for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from ficarchive.rescue.structure.features import Context, document_features
from ficarchive.rescue.structure.grammar import story_grammar
from ficarchive.rescue.structure.units import Unit

LABELS = (
    "title",
    "byline",
    "field",
    "note",
    "disclaimer",
    "epigraph",
    "body",
    "break",
    "chapter",
    "end",
    "back",
    "furniture",
)
MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = MODEL_DIR / "structure.crfsuite"
# Training and evaluation scripts point rescue at another model file with this variable.
MODEL_ENV = "FICARCHIVE_STRUCTURE_MODEL"


class ModelMissing(RuntimeError):
    """The package was installed without its structure model (a broken install)."""


@dataclass(frozen=True)
class Labelling:
    labels: tuple[str, ...]
    # label -> probability, for the units where the story's parts meet (every unit not
    # labelled body, its neighbours, the first and last body unit): the only ones a field,
    # a break or a boundary is read from. A body unit deep in the story has {"body": 1.0}.
    marginals: tuple[dict[str, float], ...]

    def probability(self, i: int) -> float:
        """How sure the labeller is of unit `i`'s own label."""
        return self.marginals[i].get(self.labels[i], 0.0)


def model_path() -> Path:
    return Path(os.environ.get(MODEL_ENV) or MODEL_FILE)


@lru_cache(maxsize=8)
def open_tagger(
    path: str, what: str = "structure", builder: str = "training.build_model"
) -> pycrfsuite.Tagger:
    """A shipped CRF model, opened once per process (the structure labeller's, or another
    stage's: `what` and the `builder` script that makes it name it when it is missing)."""
    if not Path(path).is_file():
        raise ModelMissing(
            f"the {what} model {path} is missing: reinstall ficarchive "
            f"(or build it with python -m {builder})"
        )
    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger


def label(units: list[Unit], context: Context) -> Labelling:
    """Label every unit of one document."""
    if not units:
        return Labelling((), ())
    tagger = open_tagger(str(model_path()))
    features = document_features(units, context)
    labels = story_grammar(tagger.tag(pycrfsuite.ItemSequence(features)), units)
    known = tagger.labels()
    marginals = tuple({name: tagger.marginal(name, i) for name in known} for i in range(len(units)))
    return Labelling(labels, marginals)
