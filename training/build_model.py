"""Build the structure labeller's model from the shared corpus, reproducibly.

    python -m training.build_model            # train on every collection, write the model
    python -m training.build_model --check    # train again and compare with the shipped file

The model is a linear-chain CRF (CRFsuite, L-BFGS with L1+L2 regularisation) over the
features of `ficarchive.rescue.structure.features`, trained on the synthetic renderings
and every hand-annotated real file (`training.dataset`). Training is deterministic: the
examples come in a fixed order and L-BFGS has no random start, so the same corpus gives
the same bytes. The file is written to ``ficarchive/rescue/structure/model/``.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pycrfsuite

from training.dataset import COLLECTIONS, Example, examples

MODEL = Path(__file__).resolve().parents[1] / "ficarchive" / "rescue" / "structure" / "model"
# c1 and c2 were chosen on left-out collections (docs/structure.md, "Regularisation"): a
# model trained without collection C, scored on C, for each real C; from 0.05 and 0.01,
# the mean left-out score over nine fields rose by 25 points in all (body start +8).
PARAMS: dict[str, object] = {
    "c1": 0.5,  # L1: drops features that do not earn their keep (a small model)
    "c2": 0.5,  # L2: keeps the weights small, so no single cue of one collection decides
    "max_iterations": 300,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}
# Real files count more than renderings of one author's stories: each is given this many
# times (CRFsuite has no instance weights).
REAL_WEIGHT = 2


def train(found: Sequence[Example], path: Path, params: dict[str, object] | None = None) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for example in found:
        repeat = 1 if example.collection == "synthetic" else REAL_WEIGHT
        for _ in range(repeat):
            trainer.append(pycrfsuite.ItemSequence(example.features), example.labels)
    trainer.set_params(params or PARAMS)
    trainer.train(str(path))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.build_model", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the shipped model")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    found = examples(COLLECTIONS, jobs=args.jobs)
    counts = {c: sum(1 for e in found if e.collection == c) for c in COLLECTIONS}
    print("examples:", ", ".join(f"{c} {n}" for c, n in counts.items()))
    target = MODEL / "structure.crfsuite"
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "structure.crfsuite"
            train(found, fresh)
            same = target.is_file() and digest(fresh) == digest(target)
            print("the shipped model is" + (" " if same else " NOT ") + "what the corpus builds")
            return 0 if same else 1
    MODEL.mkdir(parents=True, exist_ok=True)
    train(found, target)
    print(f"wrote {target} ({target.stat().st_size:,} bytes, sha256 {digest(target)[:16]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
