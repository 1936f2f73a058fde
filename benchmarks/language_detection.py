"""How well and how fast a story's language is detected: `python benchmarks/language_detection.py`.

Texts: English stories of ../shared/corpus (antennapedia-btvs, usenet-startrek) and, for
fifteen other languages, paragraphs of the translated manual pages Debian installs under
/usr/share/man/LANG (read in place, never copied), kept only where at most half their
words are common English words (translated pages keep some English). Scored: accuracy on
whole texts and on their first 200 and 80 characters, English stories misread, and
milliseconds a text. py3langid is what ficarchive ships; lingua-language-detector is
measured beside it when installed (``pip install lingua-language-detector``).

Measured here (2 shared cores, 742 texts): py3langid 94.9-95.1 % on whole texts (1 of 120
English stories misread at most), 92.9 % on the first 200 characters (17 English misread:
hence `MIN_CHARACTERS`), 3-9 ms a text; lingua 94.9 %, 92.8 %, 43 ms a text, and a 96 MB
install against py3langid's 4.5 MB. Both miss the same paragraphs (mostly English left in
the translations).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MAN = Path("/usr/share/man")
LANGUAGES = tuple("de fr es it nl pl pt ru sv da fi cs hu ro tr".split())  # noqa: SIM905
PER_LANGUAGE = 60


def man_paragraphs(lang: str, rng: random.Random) -> list[str]:
    out: list[str] = []
    for path in sorted(MAN.glob(f"{lang}/man*/*.gz"))[:200]:
        with gzip.open(path, "rt", errors="replace") as page:
            text = page.read()
        text = re.sub(r"^\.[A-Za-z]+.*$", "", text, flags=re.M)
        text = re.sub(r"\\f[BIRP]|\\\(..|\\[-&e]|\\", "", text)
        for part in re.split(r"\n\s*\n", text):
            part = " ".join(part.split())
            if 200 < len(part) < 1200 and not re.search(r"[{}<>=$]", part):
                out.append(part)
    rng.shuffle(out)
    return out[:PER_LANGUAGE]


def texts() -> list[tuple[str, str]]:
    from wordfreq import top_n_list

    english = set(top_n_list("en", 3000))
    rng = random.Random(1)
    data: list[tuple[str, str]] = []
    for lang in LANGUAGES:
        for part in man_paragraphs(lang, rng):
            words = [w.lower() for w in re.findall(r"[A-Za-z']+", part)]
            if words and sum(w in english for w in words) / len(words) <= 0.5:
                data.append((lang, part))
    for path in sorted((CORPUS / "antennapedia-btvs").glob("*.md"))[:60]:
        body = re.sub(r"<[^>]+>", "", path.read_text("utf-8").split("---", 2)[2])
        data.append(("en", " ".join(body.split())[:3000]))
    for path in sorted((CORPUS / "usenet-startrek").glob("*"))[:60]:
        data.append(("en", " ".join(path.read_bytes().decode("latin-1").split())[:3000]))
    return data


def detectors() -> dict[str, Callable[[str], str | None]]:
    from ficarchive.metadata.language import _identifier

    found: dict[str, Callable[[str], str | None]] = {
        "py3langid": lambda text: str(_identifier().classify(text)[0])
    }
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        return found
    lingua = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> str | None:
        language = lingua.detect_language_of(text)
        return language.iso_code_639_1.name.lower() if language else None

    found["lingua"] = detect
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--quick", action="store_true", help="accepted for benchmarks/run")
    parser.add_argument("--check", action="store_true", help="accepted for benchmarks/run")
    args = parser.parse_args()
    if not CORPUS.is_dir() or not MAN.is_dir():
        print(f"skipped: needs {CORPUS} and {MAN} (translated manual pages)")
        return 0
    data = texts()
    results: dict[str, dict[str, float]] = {}
    for name, detect in detectors().items():
        row: dict[str, float] = {}
        for cut in (None, 200, 80):
            started = time.perf_counter()
            wrong = [(lang, text) for lang, text in data if detect(text[:cut]) != lang]
            label = "whole" if cut is None else f"first {cut}"
            row[f"accuracy, {label}"] = round(1 - len(wrong) / len(data), 4)
            row[f"English misread, {label}"] = sum(1 for lang, _ in wrong if lang == "en")
            row[f"ms a text, {label}"] = round((time.perf_counter() - started) / len(data) * 1e3, 2)
        results[name] = row
        print(name, json.dumps(row))
    print(f"{len(data)} texts, {len(LANGUAGES) + 1} languages")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
