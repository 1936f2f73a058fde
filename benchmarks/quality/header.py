"""The prose header of a degraded story, and inline HTML as old plain text.

Labels, rating spellings and optional lines (disclaimer, feedback address, an e-mail
address after the author's name) vary from story to story, as they did from writer to
writer; the choice is drawn from the shape's seeded generator.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass

from benchmarks.quality.corpus import GoldStory

EMAIL = "antennapedia@example.net"
DISCLAIMER = (
    "Buffy the Vampire Slayer and its characters belong to Joss Whedon, Mutant Enemy "
    "and Fox. No money is made and no harm is meant."
)

#: How each gold rating was written on the old web; all map to one AO3 rating.
RATING_SPELLINGS = {
    "general": ("G", "PG", "General", "All ages"),
    "mature": ("R", "Mature", "R (sexual content)", "R, for language and sex"),
    "adult": ("NC-17", "NC17", "Adult", "NC-17 for explicit sex"),
}

LABELS = {
    "title": ("Title",),
    "author": ("Author", "By", "Written by"),
    "rating": ("Rating", "Rated"),
    "pairing": ("Pairing", "Pairings", "Relationship", "Ship"),
    "series": ("Series", "Part of"),
    "summary": ("Summary", "Synopsis"),
    "notes": ("Notes", "Author's Notes", "A/N", "Author's Note"),
    "disclaimer": ("Disclaimer",),
    "feedback": ("Feedback",),
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    text: str  # plain text
    html: str  # HTML (links in notes survive)


def rng_for(name: str, shape: str) -> random.Random:
    """A generator seeded by the file name and shape only: stable across runs."""
    digest = hashlib.sha256(f"{name}\0{shape}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# -- header fields ------------------------------------------------------------------
def written_pairing(pairing: str) -> str | None:
    """``giles/buffy`` -> ``Giles/Buffy``; gen stories have no pairing."""
    if pairing.lower() in ("gen", "none", ""):
        return None
    names = [
        n.upper() if n.lower() in ("omc", "ofc") else n.capitalize() for n in pairing.split("/")
    ]
    return "/".join(names)


def written_series(series: str) -> str:
    return " ".join(w.capitalize() for w in series.split("_"))


def header_fields(story: GoldStory, rng: random.Random, *, caps: bool = False) -> list[Field]:
    """The prose header of one story in one shape: labels and spellings vary."""

    def label(key: str) -> str:
        chosen = rng.choice(LABELS[key])
        return chosen.upper() if caps else chosen

    fields = [Field("title", label("title"), story.title, html.escape(story.title, quote=False))]
    author = story.author
    if rng.random() < 0.25:
        author = f"{story.author} ({EMAIL})"
    fields.append(Field("author", label("author"), author, html.escape(author, quote=False)))
    rating = rng.choice(RATING_SPELLINGS[story.rating])
    rating_field = Field("rating", label("rating"), rating, html.escape(rating))
    pairing = written_pairing(story.pairing)
    if pairing is None and rng.random() < 0.5:
        pairing = rng.choice(("None", "Gen", "none (gen)"))
    pairing_fields = [Field("pairing", label("pairing"), pairing, pairing)] if pairing else []
    # Pairing and rating swap places now and then, as they did from writer to writer.
    if rng.random() < 0.3:
        fields += [*pairing_fields, rating_field]
    else:
        fields += [rating_field, *pairing_fields]
    if story.series:
        series = written_series(story.series)
        fields.append(Field("series", label("series"), series, series))
    fields.append(Field("summary", label("summary"), story.summary, story.summary))
    if story.notes:
        notes_text = " ".join(inline_text(story.notes, emphasis="").split())
        fields.append(Field("notes", label("notes"), notes_text, story.notes))
    if rng.random() < 0.5:
        fields.append(Field("disclaimer", label("disclaimer"), DISCLAIMER, DISCLAIMER))
    if rng.random() < 0.3:
        fields.append(Field("feedback", label("feedback"), EMAIL, EMAIL))
    return fields


# -- inline HTML -> text ------------------------------------------------------------
_EMPHASIS = re.compile(r"</?(?:em|i|strong|b)\b[^>]*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>\s*", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def inline_text(fragment: str, *, emphasis: str) -> str:
    """Inline HTML as old plain text: ``<em>`` becomes ``*x*``/``_x_`` or vanishes."""
    text = _BR.sub("\n", fragment)
    text = _EMPHASIS.sub(emphasis, text)
    return html.unescape(_TAG.sub("", text)).strip()
