"""The clean antennapedia stories written out in many old shapes, every line's part known.

These are training material for the structure labeller, not the quality gate's degraded
shapes (`benchmarks/quality/degrade.py`), which the labeller never sees in training. Each
rendering draws its choices from a generator seeded by the story's name and the rendering
number, so the same bytes come out on every run and machine: plain text (hard-wrapped or
not, blank-line or indented paragraphs) or old HTML; a title written any of the ways old
headers wrote one; a byline before or after it, or none; header fields in any order and
spelling; a disclaimer and notes before or after the title; an epigraph; every kind of
divider, including blank lines alone; chapter headings of many styles; an end mark; end
notes; page furniture (BBS banners, navigation, counters, mail footers).

`render(story, k)` gives the bytes, a file name and the label of every line of the text
as rescue decodes it (HTML: of the source lines the blocks start on).
"""

from __future__ import annotations

import hashlib
import html
import random
import re
import textwrap
from dataclasses import dataclass, field, replace

from benchmarks.quality.corpus import Break, GoldStory, Heading, Para
from benchmarks.quality.header import RATING_SPELLINGS, inline_text, written_pairing

Label = str


@dataclass
class Page:
    """Lines of a text being written, each with its label."""

    lines: list[str] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)

    def add(self, label: Label, *lines: str) -> None:
        for line in lines:
            self.lines.append(line)
            self.labels.append(label if line.strip() else "blank")

    def blank(self, count: int = 1, label: Label = "blank") -> None:
        for _ in range(count):
            self.lines.append("")
            self.labels.append(label)


@dataclass(frozen=True)
class Rendering:
    name: str
    data: bytes
    labels: tuple[Label, ...]  # a label a decoded line ("blank" for blank lines)
    html: bool


# Pen names for the renderings: the corpus has one author, and a labeller that has only
# ever seen "antennapedia" in a byline learns that word, not what a byline looks like.
_FIRST = (
    "Kathryn",
    "Steven",
    "Dorothy",
    "Eric",
    "Julia",
    "Marc",
    "Peggy",
    "Douglas",
    "Tanya",
    "Vincent",
    "Ryan",
    "Monique",
    "Andrew",
    "Sally",
    "Howard",
    "Craig",
    "Lisa",
    "Tom",
    "Adam",
    "Joanna",
    "Kevin",
    "Maria",
    "Brian",
    "Nikolai",
    "Yuki",
    "Dallas",
    "Hana",
)
_LAST = (
    "Aikin",
    "Han",
    "Lindman",
    "Jonas",
    "Kosatka",
    "Perkel",
    "Warren",
    "Dean",
    "Gregg",
    "Navarino",
    "Anderson",
    "Baptiste",
    "Varga",
    "Smith",
    "Cannon",
    "Plesco",
    "Ortiz",
    "McAllister",
    "O'Brien",
    "Delano",
    "Kingsley",
    "Fox",
    "Nakamura",
    "Brown",
    "Li",
)
_HANDLE_A = ("Blue-Haired", "Silver", "Dark", "Crimson", "Wandering", "Lazy", "Mad", "Little")
_HANDLE_B = ("Goddess", "Wolf", "Angel", "Scribe", "Dragon", "Cabbit", "Knight", "Raven")


def pen_name(rng: random.Random) -> str:
    """A made-up author name, in one of the shapes old bylines take."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    shape = rng.randrange(8)
    if shape == 0:
        return f"{first} {rng.choice('ABCDEJKMRSTW')}. {last}"
    if shape == 1:
        return f"{first[0]}.{rng.choice('ABDJKMW')}. {last}"
    if shape == 2:
        return f"The {rng.choice(_HANDLE_A)} {rng.choice(_HANDLE_B)}"
    if shape == 3:
        return f"{rng.choice(_HANDLE_A)}{rng.choice(_HANDLE_B)}{rng.choice(('', '77', '2000'))}"
    if shape == 4:
        return rng.choice(_HANDLE_B).lower() + rng.choice(("", "chan", "99"))
    if shape == 5:
        return first
    return f"{first} {last}"


def _rng(name: str, k: int) -> random.Random:
    digest = hashlib.sha256(f"{name}\0training\0{k}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# -- what old headers said ------------------------------------------------------------
FANDOM_OWNERS = (
    "Buffy the Vampire Slayer belongs to Joss Whedon, Mutant Enemy and Fox.",
    "These characters are the property of Mutant Enemy, Kuzui Enterprises, Sandollar and 20th "
    "Century Fox. I'm just playing in their sandbox.",
    "Not mine, never were, never will be. Joss owns them all.",
    "I do not own Buffy or any of the characters. No copyright infringement is intended and no "
    "money is being made.",
    "All characters belong to their respective owners. This is a work of fan fiction and no "
    "profit is made from it.",
    "The Buffyverse is the property of Joss Whedon; I only borrow it and promise to put it back.",
)
NOTES = (
    "This is my first fic, so please be gentle!",
    "Written for a friend who asked for something happy. It didn't turn out that way.",
    "Many thanks to my beta, who caught every comma I dropped.",
    "This takes place some time after the end of the series; ignore the comics.",
    "I wrote this in one sitting at three in the morning and it probably shows.",
    "Dedicated to everyone on the list who kept asking for more.",
    "Thanks to Rhiannon and Kit for the read-through and the encouragement.",
    "This one has been sitting on my hard drive for a year. Time to let it go.",
)
END_NOTES = (
    "Feedback is love! Let me know what you thought.",
    "Comments and criticism welcome at the address above.",
    "Thanks for reading. A sequel is in the works, if anyone wants one.",
    "If you liked this, please drop me a line. If you didn't, tell me why.",
    "Part two should be up next week.",
    "I'd love to hear from you: feedback makes me write faster.",
)
EPIGRAPH_SOURCES = (
    ("Tori Amos", "Bells For Her"),
    ("Sarah McLachlan", "Possession"),
    ("Emily Dickinson", None),
    ("Leonard Cohen", "Famous Blue Raincoat"),
    ("The Cure", "Pictures of You"),
    ("W. B. Yeats", "The Second Coming"),
)
BANNERS = (
    [
        ":.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:",
        "      The Dark Tower BBS",
        "  (313) 555-0134  -  9600 baud  -  Sysop: Gug",
        "    Fiction, RPGs and more",
        ".:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.:.",
    ],
    ["Archived at the Sunnydale Stacks fiction archive", "http://stacks.example.org/"],
    ["This file was downloaded from the Hellmouth Library BBS"],
    ["*** Posted to alt.tv.buffy-v-slayer.creative ***"],
    ["=" * 60, "THIS STORY IS PART OF THE MIDNIGHT ARCHIVE", "=" * 60],
)
FOOTERS = (
    ["Get your free e-mail at mailcity.example.com"],
    ["Back to the fiction index"],
    ["Downloaded from The Dark Tower BBS (313) 555-0134"],
    ["-- End of file --"],
)
TEXT_DIVIDERS = (
    "* * *",
    "~*~",
    "-----",
    "oOo",
    "***",
    "~~~~~",
    "#",
    "+++",
    "=====",
    "xXx",
    "* * * * *",
    "~~~",
    "-~-~-~-",
    "<><><>",
    "//",
    "o0o0o",
    "_____",
    "* *",
)
END_MARKS = (
    "The End",
    "THE END",
    "Fin",
    "~ fin ~",
    "*END*",
    "-THE END-",
    "End",
    "FIN",
    "To Be Continued...",
    "The End?",
    "END PART ONE",
    "# # #",
    "~The End~",
    "Finis",
)
CHAPTER_STYLES = (
    "{title}",
    "Chapter {n}",
    "-Chapter {n}-",
    "CHAPTER {N}",
    "Part {n}: {title}",
    "Chapter {n}: {title}",
    "{N}",
    "Part {word}",
    "~ {title} ~",
    "PART {N}",
)
_WORDS = (
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
)


def _email(story: GoldStory, rng: random.Random) -> str:
    user = re.sub(r"\W+", "", story.author.lower())[:10] or "author"
    number = rng.randint(1, 99)
    host = rng.choice(("aol.com", "geocities.com", "hotmail.com", "mindspring.net"))
    return f"{user}{number}@{host}"


def _byline(story: GoldStory, rng: random.Random) -> list[str]:
    name = story.author
    choices = [
        [f"by {name}"],
        [f"By {name}"],
        [f"by: {name}"],
        [f"By, {name}"],
        [f"Written by {name}"],
        ["by", name],
        ["Written by", name],
        [f"Author: {name}"],
        [f"{name}"],
        [f"by {name} <{_email(story, rng)}>"],
        [f"by {name} ({_email(story, rng)})"],
        [f"(c) {rng.randint(1995, 2009)} {name}"],
        [f"Copyright {rng.randint(1995, 2009)} by {name}"],
        [f"fanfiction by {name} (a.k.a. {name.split()[0]}chan)"],
        [f"A story by {name}"],
        [f"{name} Productions Proudly Presents"],
    ]
    return rng.choice(choices)


def _title_lines(story: GoldStory, rng: random.Random) -> tuple[list[tuple[Label, str]], bool]:
    """The title (and the byline, when the shape puts them together); whether a byline came."""
    t, a = story.title, story.author
    style = rng.randrange(9)
    if style == 0:
        return [("title", f"Title: {t}")], False
    if style == 1:
        return [("title", t.upper())], False
    if style == 2:
        return [("title", f'"{t}"')], False
    if style == 3:
        return [("title", f"{t} by {a}")], True
    if style == 4:
        return [("title", f'Here follows "{t}," by {a}')], True
    if style == 5:
        return [("title", f"*** {t} ***")], False
    if style == 6:
        return [("title", f"{t}, by {a}")], True
    return [("title", t)], False


FANDOM_NAMES = ("BtVS", "Buffy the Vampire Slayer", "BtVS/AtS", "Buffy", "BTVS, Angel")
CHARACTERS = ("Buffy", "Giles", "Willow", "Xander", "Spike", "Tara", "Anya", "Dawn", "Angel")
WARNINGS = ("none", "character death", "violence, language", "none apply", "dark themes")


def _fields(story: GoldStory, rng: random.Random, caps: bool) -> list[tuple[Label, str]]:
    def lab(*names: str) -> str:
        chosen = rng.choice(names)
        return chosen.upper() if caps else chosen

    out: list[tuple[Label, str]] = []
    pool: list[tuple[Label, str]] = [
        (
            "field",
            f"{lab('Rating', 'Rated', 'Classification')}: "
            f"{rng.choice(RATING_SPELLINGS[story.rating])}",
        ),
        ("field", f"{lab('Summary', 'Synopsis', 'Description')}: {story.summary}"),
        ("field", f"{lab('Spoilers', 'Timeline', 'Setting')}: through season {rng.randint(2, 7)}"),
        (
            "field",
            f"{lab('Category', 'Genre', 'Keywords')}: "
            f"{rng.choice(('angst', 'romance', 'drama, hurt/comfort', 'humor'))}",
        ),
        (
            "field",
            f"{lab('Archive', 'Archiving')}: "
            f"{rng.choice(('ask first', 'yes please', 'anywhere, just keep my name on it'))}",
        ),
        ("field", f"{lab('Feedback', 'E-mail', 'Comments to')}: {_email(story, rng)}"),
        (
            "field",
            f"{lab('Date', 'Posted', 'Written')}: "
            f"{rng.choice(('June 12, 1998', '3/9/1999', '2003-04-12', 'Summer 2001'))}",
        ),
        ("field", f"{lab('Word count', 'Length', 'Words')}: {rng.randint(900, 30000)}"),
        ("field", f"{lab('Fandom', 'Fandoms', 'Series')}: {rng.choice(FANDOM_NAMES)}"),
        (
            "field",
            f"{lab('Characters', 'Character(s)')}: "
            f"{', '.join(rng.sample(CHARACTERS, rng.randint(1, 3)))}",
        ),
        ("field", f"{lab('Warnings', 'Warning', 'Content')}: {rng.choice(WARNINGS)}"),
    ]
    pairing = written_pairing(story.pairing)
    if pairing:
        pool.append(("field", f"{lab('Pairing', 'Pairings', 'Ship', 'Relationship')}: {pairing}"))
    for item in pool:
        if rng.random() < 0.35:
            out.append(item)
    rng.shuffle(out)
    return out


def _wrap(text: str, width: int | None, indent: str = "") -> list[str]:
    if width is None:
        return [indent + text] if text else []
    return (
        textwrap.wrap(
            text, width, initial_indent=indent, break_long_words=False, break_on_hyphens=False
        )
        or []
    )


def _verse(rng: random.Random) -> list[str]:
    words = (
        "light",
        "rain",
        "falling",
        "you",
        "never",
        "said",
        "the",
        "bells",
        "ring",
        "home",
        "again",
        "cold",
        "I",
        "wait",
        "for",
        "morning",
        "in",
        "your",
        "eyes",
        "alone",
    )
    lines = []
    for _ in range(rng.randint(2, 4)):
        lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(4, 7))).capitalize())
    return lines


def _attribution(rng: random.Random) -> str:
    who, work = rng.choice(EPIGRAPH_SOURCES)
    dash = rng.choice(("--", "- ", "~", "—"))
    return f'{dash}{who}, "{work}"' if work else f"{dash}{who}"


# -- text ---------------------------------------------------------------------------------
def _text_header(
    page: Page, story: GoldStory, rng: random.Random, width: int | None, centre: bool
) -> None:
    def c(line: str) -> str:
        return line.center(width or 72).rstrip() if centre and len(line) < (width or 72) else line

    caps = rng.random() < 0.25
    if rng.random() < 0.15:
        page.add("furniture", *rng.choice(BANNERS))
        page.blank(rng.randint(1, 3))
    disclaimer_first = rng.random() < 0.2
    note_first = rng.random() < 0.1
    if note_first:
        for line in _wrap(
            f"{rng.choice(('A/N: ', 'Author note: ', ''))}{rng.choice(NOTES)}", width
        ):
            page.add("note", line)
        page.blank()
        if rng.random() < 0.5:
            page.add("furniture", rng.choice(("-" * 40, "=" * 50, "~" * 30)))
            page.blank()
    if disclaimer_first:
        for line in _wrap(
            f"{rng.choice(('Disclaimer: ', 'DISCLAIMER: ', ''))}{rng.choice(FANDOM_OWNERS)}", width
        ):
            page.add("disclaimer", line)
        page.blank()
    byline_before = rng.random() < 0.1
    if byline_before:
        for line in _byline(story, rng):
            page.add("byline", c(line))
    title, had_byline = _title_lines(story, rng)
    for label, line in title:
        page.add(label, c(line))
    if rng.random() < 0.2 and not title[0][1].startswith("Title:"):
        page.add("furniture", c("-" * len(title[0][1][:40])))
    if not had_byline and not byline_before and rng.random() < 0.9:
        if rng.random() < 0.3:
            page.blank()
        for line in _byline(story, rng):
            page.add("byline", c(line))
    if rng.random() < 0.8:
        page.blank(rng.randint(1, 2))
    for label, line in _fields(story, rng, caps):
        for k, part in enumerate(_wrap(line, width)):
            page.add(label, part if k == 0 else ("  " + part if rng.random() < 0.5 else part))
    if not disclaimer_first and rng.random() < 0.45:
        page.blank()
        labelled = rng.random() < 0.6
        text = rng.choice(FANDOM_OWNERS)
        if labelled and rng.random() < 0.3:
            page.add("disclaimer", "Disclaimer:")
            labelled = False
        for line in _wrap(("Disclaimer: " if labelled else "") + text, width):
            page.add("disclaimer", line)
    if story.notes and rng.random() < 0.5:
        page.blank()
        note = " ".join(inline_text(story.notes, emphasis="").split())
        for line in _wrap(
            f"{rng.choice(('Notes: ', 'A/N: ', 'Author' + chr(39) + 's Note: ', ''))}{note}", width
        ):
            page.add("note", line)
    elif rng.random() < 0.3:
        page.blank()
        for line in _wrap(f"{rng.choice(('A/N: ', 'Notes: ', ''))}{rng.choice(NOTES)}", width):
            page.add("note", line)
    page.blank(rng.randint(1, 3))
    if rng.random() < 0.4:
        page.add(
            "furniture", rng.choice(("-" * 60, "=" * 70, "~" * 40, "* * * * * * * *", "_" * 50))
        )
        page.blank()
    if rng.random() < 0.15:
        for line in _verse(rng):
            page.add("epigraph", c(line))
        page.add("epigraph", c(_attribution(rng)))
        page.blank(rng.randint(1, 2))


def _chapter_heading(text: str, n: int, rng: random.Random, style: str) -> str:
    return style.format(
        title=text,
        n=n,
        N=str(n) if rng.random() < 0.5 else _WORDS[(n - 1) % 12].upper(),
        word=_WORDS[(n - 1) % 12],
    )


def _text_body(
    page: Page, story: GoldStory, rng: random.Random, width: int | None, centre: bool
) -> None:
    indented = rng.random() < 0.3
    blank_between = not indented or rng.random() < 0.3
    divider = rng.choice(TEXT_DIVIDERS) if rng.random() < 0.85 else None  # None: blank lines only
    emphasis = rng.choice(("*", "_", ""))
    style = rng.choice(CHAPTER_STYLES)
    chapters = 0
    started = False
    for block in story.blocks:
        if isinstance(block, Break):
            if divider is None:
                page.blank(1 if not blank_between else 3, label="break")
                if blank_between:
                    page.labels[-3:] = ["blank", "break", "blank"]
            else:
                page.blank()
                line = (
                    divider.center(width or 72).rstrip()
                    if centre or rng.random() < 0.3
                    else divider
                )
                page.add("break", line)
                page.blank()
            continue
        if isinstance(block, Heading):
            chapters += 1
            page.blank(rng.randint(1, 3))
            page.add("chapter", _chapter_heading(block.text, chapters, rng, style))
            if "{title}" not in style and rng.random() < 0.4:
                page.add("chapter", block.text)
            page.blank()
            continue
        text = inline_text(block.html, emphasis=emphasis)
        if not text:
            continue
        for piece in text.split("\n"):
            if started and blank_between and page.lines and page.lines[-1] != "":
                page.blank()
            for line in _wrap(piece, width, "     " if indented else ""):
                page.add("body", line)
            started = True


def _text_footer(page: Page, story: GoldStory, rng: random.Random, width: int | None) -> None:
    if rng.random() < 0.6:
        page.blank(rng.randint(1, 2))
        if rng.random() < 0.2:
            page.add("furniture", "* * *")
            page.blank()
        page.add("end", rng.choice(END_MARKS))
    if rng.random() < 0.45:
        page.blank()
        label = rng.choice(("A/N: ", "Notes: ", "Author's note: ", ""))
        for line in _wrap(f"{label}{rng.choice(END_NOTES)}", width):
            page.add("back", line)
        if rng.random() < 0.4:
            page.add("back", _email(story, rng))
    if rng.random() < 0.15:
        page.blank()
        for line in _verse(rng):
            page.add("epigraph", line)
        page.add("epigraph", _attribution(rng))
    if rng.random() < 0.12:
        page.blank()
        page.add("furniture", *rng.choice(FOOTERS))


def render_text(story: GoldStory, rng: random.Random) -> tuple[str, list[Label]]:
    width = rng.choice((None, 64, 70, 72, 76, 78)) if rng.random() < 0.8 else None
    centre = rng.random() < 0.35
    page = Page()
    _text_header(page, story, rng, width, centre)
    _text_body(page, story, rng, width, centre)
    _text_footer(page, story, rng, width)
    return "\n".join(page.lines) + "\n", page.labels


# -- HTML -----------------------------------------------------------------------------
def _h(text: str) -> str:
    return html.escape(text, quote=False)


def render_html(story: GoldStory, rng: random.Random) -> tuple[str, list[Label]]:
    """Old HTML with every labelled element starting on a line of its own."""
    page = Page()
    page.add("blank", "<html><head>")
    page.add(
        "blank",
        "<title>"
        + _h(
            rng.choice(
                (
                    story.title,
                    f"{story.title} by {story.author}",
                    "Fiction",
                    f"{story.author} - {story.title}",
                )
            )
        )
        + "</title>",
    )
    page.add("blank", "</head><body>")
    if rng.random() < 0.4:
        page.add(
            "furniture",
            '<p><a href="../index.html">Home</a> | <a href="index.html">Back to Fiction</a></p>',
        )
    title_tag = rng.choice(
        (
            "<center><b><font size=+2>{}</font></b></center>",
            "<h1>{}</h1>",
            "<h2 align=center>{}</h2>",
            "<p align=center><big><big>{}</big></big></p>",
            "<p><b>Title:</b> {}</p>",
        )
    )
    if rng.random() < 0.15:
        page.add("disclaimer", f"<p><i>{_h(rng.choice(FANDOM_OWNERS))}</i></p>")
    page.add("title", title_tag.format(_h(story.title)))
    if rng.random() < 0.9:
        line = _h(rng.choice(_byline(story, rng)))
        page.add(
            "byline",
            rng.choice(
                (
                    "<p align=center>{}</p>",
                    "<center>{}</center>",
                    "<p><b>Author:</b> {}</p>",
                    "<p><i>{}</i></p>",
                )
            ).format(line),
        )
    fields = _fields(story, rng, caps=False)
    if fields:
        page.add("blank", "<p>")
        for k, (label, line) in enumerate(fields):
            name, _, value = line.partition(": ")
            page.add(
                label, f"<b>{_h(name)}:</b> {_h(value)}" + ("<br>" if k < len(fields) - 1 else "")
            )
        page.add("blank", "</p>")
    if rng.random() < 0.4:
        page.add(
            "disclaimer",
            f"<p>{'Disclaimer: ' if rng.random() < 0.6 else ''}{_h(rng.choice(FANDOM_OWNERS))}</p>",
        )
    if rng.random() < 0.3:
        page.add("note", f"<p>A/N: {_h(rng.choice(NOTES))}</p>")
    divider = rng.choice(
        (
            "<hr>",
            '<p align=center><img src="line.gif" width=400 height=10></p>',
            "<p align=center>* * *</p>",
            "<center>~*~</center>",
        )
    )
    if rng.random() < 0.5:
        page.add("furniture", rng.choice(("<hr>", '<img src="bar.gif" width=500 height=8>')))
    if rng.random() < 0.1:
        for line in _verse(rng):
            page.add("epigraph", f"<i>{_h(line)}</i><br>")
        page.add("epigraph", f"{_h(_attribution(rng))}<br><br>")
    chapters = 0
    style = rng.choice(CHAPTER_STYLES)
    for block in story.blocks:
        if isinstance(block, Break):
            page.add("break", divider)
        elif isinstance(block, Heading):
            chapters += 1
            page.add(
                "chapter",
                rng.choice(
                    ("<h3>{}</h3>", "<p align=center><b>{}</b></p>", "<center><u>{}</u></center>")
                ).format(_h(_chapter_heading(block.text, chapters, rng, style))),
            )
        elif isinstance(block, Para):
            inner = re.sub(r"<(/?)em>", r"<\1i>", re.sub(r"<(/?)strong>", r"<\1b>", block.html))
            inner = re.sub(r"\s*\n\s*", " ", inner)
            page.add("body", f"<p>{inner}</p>")
    if rng.random() < 0.5:
        page.add(
            "end",
            rng.choice(
                ("<p align=center>{}</p>", "<center><b>{}</b></center>", "<p>{}</p>")
            ).format(_h(rng.choice(END_MARKS))),
        )
    if rng.random() < 0.4:
        page.add(
            "back",
            f'<p>{_h(rng.choice(END_NOTES))} <a href="mailto:{_email(story, rng)}">Mail me</a></p>',
        )
    if rng.random() < 0.5:
        page.add(
            "furniture",
            rng.choice(
                (
                    '<p><a href="index.html">Back to Fiction</a></p>',
                    '<p>You are visitor number <img src="counter.gif" alt="counter"></p>',
                    '<center><a href="../index.html">Home</a> | '
                    '<a href="stories.html">Stories</a> | <a href="links.html">Links</a></center>',
                )
            ),
        )
    page.add("blank", "</body></html>")
    return "\n".join(page.lines) + "\n", page.labels


BARE_WRAPPERS = ("", "", "<font face=Arial>", "<div>", "<blockquote>")


def render_bare(story: GoldStory, rng: random.Random) -> tuple[str, list[Label], bool]:
    """The story alone, as a chapter file or a page that is only the text: no header and
    no footer, sometimes its title on the first line; in HTML, a tag some old editors
    opened before every paragraph and never closed. The bool says whether it is HTML."""
    page = Page()
    if rng.random() < 0.5:
        width = rng.choice((None, 70, 72, 76))
        if rng.random() < 0.4:
            page.add("title", story.title)
            page.blank()
        _text_body(page, story, rng, width, centre=False)
        return "\n".join(page.lines) + "\n", page.labels, False
    wrapper = rng.choice(BARE_WRAPPERS)
    divider = rng.choice(("<hr>", "<p align=center>* * *</p>", "<p>~*~</p>"))
    page.add("blank", "<html><body>")
    if rng.random() < 0.4:
        page.add("title", f"<p><b>{_h(story.title)}</b></p>")
    for block in story.blocks:
        if isinstance(block, Break):
            page.add("break", divider)
        elif isinstance(block, Heading):
            page.add("chapter", f"<h3>{_h(block.text)}</h3>")
        elif isinstance(block, Para):
            inner = re.sub(r"\s*\n\s*", " ", block.html)
            page.add("body", f"{wrapper}<p>{inner}")
    page.add("blank", "</body></html>")
    return "\n".join(page.lines) + "\n", page.labels, True


JOURNAL_NAMES = ("moonlitwriter", "slayerfic", "giles_girl", "ficcy_goodness", "vamp_scribe")
MOODS = ("tired", "accomplished", "nervous", "sleepy", "giddy")
MUSIC = ("Tori Amos - Winter", "Sarah McLachlan - Angel", "Muse - Hysteria", "nothing")
ENTRY_DATES = ("June 12, 2006", "February 6, 2007, 11:30 AM", "2008-03-01 22:14:00")
COMMENTS = (
    "Oh, I loved this!",
    "More please?",
    "This made me cry, in a good way.",
    "Great characterisation of Giles.",
)


def _subject(story: GoldStory, rng: random.Random) -> str:
    pairing = written_pairing(story.pairing) or "Gen"
    rating = rng.choice(RATING_SPELLINGS[story.rating])
    return rng.choice(
        (
            f"Fic: {story.title} ({pairing}, {rating})",
            f"FIC: {story.title}",
            f"New fic - {story.title}",
            f"{story.title} ({pairing})",
            f"[fic] {story.title}, {pairing}, {rating}",
            story.title,
        )
    )


def render_journal(story: GoldStory, rng: random.Random) -> tuple[str, list[Label]]:
    """A saved journal entry page: journal header and navigation, the entry's date and
    subject, header lines, the story, the mood and music, tags and readers' comments."""
    journal = rng.choice(JOURNAL_NAMES)
    subject = _subject(story, rng)
    page = Page()
    page.add("blank", "<html><head>")
    page.add("blank", f"<title>{_h(journal)}: {_h(subject)}</title>")
    page.add("blank", "</head><body>")
    page.add("furniture", f'<h1><a href="http://{journal}.livejournal.com/">{journal}</a></h1>')
    page.add(
        "furniture",
        '<p><a href="/">Recent Entries</a> | <a href="/calendar">Archive</a> | '
        '<a href="/friends">Friends</a> | <a href="/profile">User Info</a></p>',
    )
    page.add(
        "furniture",
        f"<p>{rng.choice(ENTRY_DATES)}</p>",
    )
    page.add("title", f"<h2>{_h(subject)}</h2>")
    fields = []
    if rng.random() < 0.8:
        fields.append(("title", f"<b>Title:</b> {_h(story.title)}"))
    if rng.random() < 0.5:
        fields.append(("byline", f"<b>Author:</b> {_h(story.author)}"))
    for label, line in _fields(story, rng, caps=False):
        name, _, value = line.partition(": ")
        fields.append((label, f"<b>{_h(name)}:</b> {_h(value)}"))
    if rng.random() < 0.5:
        fields.append(("note", f"<b>Notes:</b> {_h(rng.choice(NOTES))}"))
    if rng.random() < 0.3:
        fields.append(("disclaimer", f"<b>Disclaimer:</b> {_h(rng.choice(FANDOM_OWNERS))}"))
    if fields:
        page.add("blank", "<p>")
        for k, (label, line) in enumerate(fields):
            page.add(label, line + ("<br>" if k < len(fields) - 1 else ""))
        page.add("blank", "</p>")
    if rng.random() < 0.5:
        page.add("blank", '<a name="cutid1"></a>')
    divider = rng.choice(
        ("<hr>", "<p align=center>* * *</p>", "<center>~*~</center>", "<p>***</p>")
    )
    chapters = 0
    style = rng.choice(CHAPTER_STYLES)
    for block in story.blocks:
        if isinstance(block, Break):
            page.add("break", divider)
        elif isinstance(block, Heading):
            chapters += 1
            page.add(
                "chapter", f"<p><b>{_h(_chapter_heading(block.text, chapters, rng, style))}</b></p>"
            )
        elif isinstance(block, Para):
            page.add("body", "<p>" + re.sub(r"\s*\n\s*", " ", block.html) + "</p>")
    if rng.random() < 0.3:
        page.add("end", f"<p>{_h(rng.choice(END_MARKS))}</p>")
    if rng.random() < 0.3:
        page.add("back", f"<p>{_h(rng.choice(END_NOTES))}</p>")
    page.add("furniture", f"<p>Current Mood: {rng.choice(MOODS)}<br>")
    page.add("furniture", f"Current Music: {_h(rng.choice(MUSIC))}</p>")
    if rng.random() < 0.6:
        page.add(
            "furniture",
            "<p>Tags: fic, buffy, " + _h(written_pairing(story.pairing) or "gen") + "</p>",
        )
    page.add(
        "furniture",
        f'<p><a href="?mode=reply">{rng.randint(1, 30)} comments</a> | '
        '<a href="?mode=reply">Leave a comment</a></p>',
    )
    for _ in range(rng.randint(0, 3)):
        page.add("furniture", f"<p><b>{rng.choice(JOURNAL_NAMES)}</b> wrote:</p>")
        page.add(
            "furniture",
            f"<p>{_h(rng.choice(COMMENTS))}</p>",
        )
    page.add("blank", "</body></html>")
    return "\n".join(page.lines) + "\n", page.labels


# Share of renderings cut down to a short piece (a drabble or ficlet: a paragraph or three
# per scene), so the labeller meets breaks and end marks in files with few lines.
SHORT_PIECES = 0.2
# Share of renderings that are the story alone (`render_bare`).
BARE = 0.25


def _short_piece(story: GoldStory, rng: random.Random) -> GoldStory:
    """The story cut to a few paragraphs per scene and one to four scenes."""
    kept: list = []
    keep, in_scene, scenes, most = rng.randint(1, 3), 0, 1, rng.randint(1, 4)
    for block in story.blocks:
        if isinstance(block, Para):
            if in_scene < keep:
                kept.append(block)
            in_scene += 1
            continue
        if scenes >= most:
            break
        if kept and not isinstance(kept[-1], (Break, Heading)):
            kept.append(block)
            scenes += 1
            keep, in_scene = rng.randint(1, 3), 0
    while kept and not isinstance(kept[-1], Para):
        kept.pop()
    return replace(story, blocks=tuple(kept))


PEN_NAMES = 0.85
"""Share of renderings whose author is a made-up name, not the corpus's own."""


def render(story: GoldStory, k: int) -> Rendering:
    rng = _rng(story.name, k)
    names = random.Random(f"{story.name}:{k}:author")  # its own draws: the rest stay as they were
    if names.random() < PEN_NAMES:
        story = replace(story, author=pen_name(names))
    base = story.name.rsplit(".", 1)[0]
    if rng.random() < SHORT_PIECES:
        story = _short_piece(story, rng)
    if rng.random() < BARE:
        text, labels, is_html = render_bare(story, rng)
        name = f"{base}.html" if is_html else f"{base}.txt"
        return Rendering(name, text.encode("utf-8"), tuple(labels), is_html)
    if rng.random() < 0.12:
        text, labels = render_journal(story, rng)
        return Rendering(
            f"{rng.randint(1000, 99999)}.html", text.encode("utf-8"), tuple(labels), True
        )
    if rng.random() < 0.3:
        text, labels = render_html(story, rng)
        encoding = rng.choice(("utf-8", "cp1252"))
        return Rendering(
            f"{base}.html", text.encode(encoding, errors="replace"), tuple(labels), True
        )
    text, labels = render_text(story, rng)
    encoding = rng.choice(("utf-8", "cp1252", "cp1252"))
    data = text.encode(encoding, errors="replace")
    if rng.random() < 0.5:
        data = data.replace(b"\n", b"\r\n")
    name = rng.choice((f"{base}.txt", base[:8], f"{base[:8]}.txt", f"{base}"))
    return Rendering(name, data, tuple(labels), False)
