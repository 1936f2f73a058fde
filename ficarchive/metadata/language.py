"""The language of a story: named by the story (``Language: Deutsch``), else detected.

Names are matched in English and in the language itself (``German``, ``Deutsch``,
``Français``, ``castellano``), and codes as AO3 writes them (``en``, ``de``, ``pt-BR``).
Detection uses py3langid's model, shipped inside that package (no download at run
time): measured on the corpus stories and translated manual pages of fifteen languages
(`benchmarks/language_detection.py`), it matches lingua's accuracy on whole texts at a
fourteenth of the time and a twentieth of the install size. It reads the body text only,
and answers only when it is sure (`MIN_PROBABILITY`) of a text long enough
(`MIN_CHARACTERS`); otherwise it says nothing and the caller keeps its default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

MIN_CHARACTERS = 250
"""Below this many letters a story's language is not guessed: a title page or a drabble's
first line mislead any model (cut to 200 characters, py3langid misreads 16 of 120
English stories; whole, none)."""

MIN_PROBABILITY = 0.95
"""py3langid's normalised probability an answer needs; under it the text is mixed or too
plain to say."""

SAMPLE_CHARACTERS = 5_000
"""Detection reads at most this much of the text: the benchmark's English texts are cut
to 3,000 characters and read right as often as whole ones, and py3langid's time grows
with the text (at 20,000 characters it was a sixth of a rescue's time)."""

_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "anglais", "englisch", "inglés", "ingles", "inglese", "engels"),
    "de": ("german", "deutsch", "allemand", "alemán", "aleman", "tedesco", "duits"),
    "fr": ("french", "français", "francais", "französisch", "francés", "frances", "francese"),
    "es": ("spanish", "español", "espanol", "castellano", "espagnol", "spanisch", "spagnolo"),
    "it": ("italian", "italiano", "italien", "italienisch"),
    "pt": ("portuguese", "português", "portugues", "portugiesisch"),
    "pt-BR": ("brazilian portuguese", "português brasileiro", "portugues brasileiro"),
    "nl": ("dutch", "nederlands", "flemish", "vlaams", "niederländisch"),
    "sv": ("swedish", "svenska"),
    "da": ("danish", "dansk"),
    "nb": ("norwegian", "norsk", "bokmål", "bokmal"),
    "fi": ("finnish", "suomi"),
    "pl": ("polish", "polski"),
    "cs": ("czech", "čeština", "cestina"),
    "sk": ("slovak", "slovenčina"),
    "hu": ("hungarian", "magyar"),
    "ro": ("romanian", "română", "romana"),
    "ru": ("russian", "русский"),
    "uk": ("ukrainian", "українська"),
    "bg": ("bulgarian", "български"),
    "el": ("greek", "ελληνικά"),
    "tr": ("turkish", "türkçe", "turkce"),
    "he": ("hebrew", "עברית"),
    "ar": ("arabic", "العربية"),
    "ja": ("japanese", "日本語"),
    "zh": ("chinese", "中文", "mandarin"),
    "ko": ("korean", "한국어"),
    "id": ("indonesian", "bahasa indonesia"),
    "vi": ("vietnamese", "tiếng việt"),
    "ca": ("catalan", "català"),
    "la": ("latin", "latina"),
    "eo": ("esperanto",),
    "ga": ("irish", "gaeilge"),
    "cy": ("welsh", "cymraeg"),
}
_BY_NAME = {name: code for code, names in _NAMES.items() for name in names}
_CODE = re.compile(r"^([a-z]{2,3})(?:[-_]([A-Za-z]{2}))?$")


def language_code(written: str) -> str | None:
    """The language a label names, as AO3's code; None when it names none we know.

    >>> language_code("Deutsch"), language_code("English (US)"), language_code("pt_br")
    ('de', 'en', 'pt-BR')
    >>> language_code("Klingon") is None
    True
    """
    text = " ".join(written.split()).strip(" .;:")
    lowered = text.casefold()
    if lowered in _BY_NAME:
        return _BY_NAME[lowered]
    bare = re.sub(r"\s*[(\[].*$", "", lowered)
    if bare in _BY_NAME:
        return _BY_NAME[bare]
    match = _CODE.match(text)
    if match:
        base = match.group(1).lower()
        if base in _NAMES or base in _known_codes():
            region = match.group(2)
            full = f"{base}-{region.upper()}" if region else base
            return full if full in _NAMES else base
    return None


@dataclass(frozen=True)
class Detected:
    code: str
    probability: float


def detect_language(text: str) -> Detected | None:
    """The language of `text`, when the model is sure of it; None otherwise.

    >>> detect_language("Sie ging langsam die Treppe hinunter und dachte an den Abend, "
    ...     "an dem alles angefangen hatte. Draußen regnete es seit Stunden, und niemand "
    ...     "wusste, wann er zurückkommen würde. Sie setzte sich ans Fenster und wartete "
    ...     "auf das Geräusch seiner Schritte im Hof. Als die Glocke der Kirche elf Uhr "
    ...     "schlug, stand sie auf und ging in die Küche, um sich einen Tee zu machen.").code
    'de'
    >>> detect_language("Too short.") is None
    True
    """
    sample = text[:SAMPLE_CHARACTERS]
    if sum(map(str.isalpha, sample)) < MIN_CHARACTERS:
        return None
    code, probability = _identifier().classify(sample)
    if probability < MIN_PROBABILITY:
        return None
    return Detected(str(code), float(probability))


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(str(code) for code in _identifier().nb_classes)
