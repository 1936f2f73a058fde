"""A site's own pages read together: which list stories, which is one story's chapters.

After the planning pass has read every page's links into the plan (`links.read_links`),
`read_site` reads the structure of the whole mirror from them, with no knowledge of one
site's page names or markup:

1. **Link pages.** An HTML page that links text files (an HTML page is not a chapter
   of a text story: it lists them), or that is mostly links (`joining.INDEX_LINK_SHARE`).
   Its **story links** are its links to text files, to HTML story pages, and to error
   pages saved in their place, in the page's order.
2. **One story's page, or a list of stories.** Sites put a story's chapters on a page of
   their own, linked from a listing as one entry: a page is one story's page when it
   has at least two story links, no *child* page (a link page it links, other than by a
   way back up such as ``Home``, that no more link pages link than link it: a listing
   links the pages of its stories; a story's page links only back up, to pages more
   widely linked than itself), and its links read
   as chapters — at least `CHAPTER_EVIDENCE` of their labels carry a chapter mark
   (``Part 3``, ``Chapter 2``, ``#4``, ``Prologue``) or of their file names continue
   one another (``guyver_muyo01.txt``, ``guyver_muyo02.txt``). Every other link page
   with story links is a list of stories. On a text site (4.) a story's chapters are
   its text files: an HTML page it links (a glossary, the author's page) is the site's.
3. **Groups and hints.** The files of one story's page become one story, in the page's
   order, whatever their names (group ``page:PAGE``); an error page or a file the page
   links that is not in the mirror is a missing part. The link into a story's page from
   a listing gives the story's title and author (rank 0 hints, from the site's page for
   that story); a listing's own links give the title and author of the file each one
   names (rank 1; among several listings, the one with more stories wins).
4. **Site pages.** Link pages, error pages, and — on a site whose listed stories are text
   files (at most `TEXT_SITE_HTML_SHARE` of them HTML) — every other HTML page that no
   page lists as a story's chapter, or as an entry under an author beside that author's
   text stories, are the site's own pages (front page, polls, reviews, help pages):
   reported, never rescued.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

# A page is one story's page when at least this share of its story links read as
# chapters (their labels, or their file names): on real chapter pages nearly all do,
# on listings of many stories a third or fewer (some titles have numbers).
CHAPTER_EVIDENCE = 0.5
# A site whose listed stories are at most this share HTML pages keeps its stories in
# text files: its other HTML pages are the site's own (front page, polls, reviews).
TEXT_SITE_HTML_SHARE = 0.2
# An HTML page linked from more link pages than this is the site's navigation (its front
# page, a section's page), never a chapter of one story: a chapter is linked from its
# story's page and perhaps a "new" page or two.
NAVIGATION_IN_DEGREE = 3

# files.is_index values, as plan.py numbers its roles
STORY, INDEX, DATABASE, FURNITURE, ERROR, SITE = range(6)
GROUP_PREFIX = "page:"

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (src TEXT, pos INTEGER, target TEXT, label TEXT,
    authors TEXT);
CREATE INDEX IF NOT EXISTS links_src ON links (src, pos);
CREATE INDEX IF NOT EXISTS links_target ON links (target);
CREATE TABLE IF NOT EXISTS site_missing (grp TEXT, n INTEGER, what TEXT);
CREATE INDEX IF NOT EXISTS site_missing_grp ON site_missing (grp, n);
CREATE TABLE IF NOT EXISTS page_roles (key TEXT PRIMARY KEY, kind TEXT, reason TEXT);
"""

# A chapter's label: a chapter word, an ordinal, a number, ``#4``, a Roman numeral.
_CHAPTER_MARK = re.compile(
    r"\b(?:chapter|chap|ch|part|pt|episode|ep|act|book|volume|vol|prologue|epilogue"
    r"|interlude|finale|conclusion|intro(?:duction)?|afterword|section|scene|issue"
    r"|first|second|third|fourth|fifth|sixth|final|last)\b"
    r"|#\s*\d|\b\d{1,3}[a-z]?\b|(?-i:\b(?:[IVX]{2,5}|V|X)\b)",
    re.I,
)
_NAME_TAIL = re.compile(r"\.[A-Za-z0-9]{1,5}$")
# A label that names no story: a navigation link's, or a bare chapter mark.
_NAVIGATION = (
    r"^\W*(?:(?:click|go)(?:\s+here)?|here|read(?:\s+(?:it|more|now|on))?|more|next|prev(?:ious)?"
    r"|back|home|index|download|continue|go|main\s+page|top|up|contents|table\s+of\s+contents"
    r"|toc)\W*$"
    r"|^\W*(?:back\s+to|return\s+to|click\s+here|go\s+to)\b"
)
_NAVIGATION_LABEL = re.compile(_NAVIGATION, re.I)
_NOT_A_TITLE = re.compile(
    _NAVIGATION
    + r"|^\W*(?:chapter|chap|ch|part|pt|episode|prologue|epilogue)\b[\s.#:]*(?:\d+|[ivxlc]+)?\W*$"
    r"|^[^A-Za-z]*$",
    re.I,
)


def title_of(label: str | None) -> str | None:
    """A link's label as a story's title, or None when it names none.

    >>> title_of("Here's The Deal"), title_of("Chapter 2"), title_of("Click here")
    ("Here's The Deal", None, None)
    """
    if not label or len(label) > 200 or _NOT_A_TITLE.search(label):
        return None
    return label


def clear(db: sqlite3.Connection) -> None:
    db.executescript("DELETE FROM links; DELETE FROM site_missing; DELETE FROM page_roles;")


@dataclass(frozen=True)
class Entry:
    """A story link of a link page: position, target, label, authors, target's role."""

    pos: int
    target: str
    label: str
    authors: str
    role: int | None  # None: not in the mirror
    html: bool
    indeg: int  # link pages linking the target

    def navigation(self) -> bool:
        """A link back up the site, not to a chapter: by its label, or to a hub page."""
        hub = self.html and self.indeg > NAVIGATION_IN_DEGREE
        return hub or _NAVIGATION_LABEL.search(self.label) is not None


def _continues(a: str, b: str) -> bool:
    """Whether file name `b` continues `a`: they share most of their stem.

    >>> _continues("x/guyver_muyo01.txt", "x/guyver_muyo02.txt"), _continues("a.txt", "poker.txt")
    (True, False)
    """
    a, b = (_NAME_TAIL.sub("", posixpath.basename(n.replace("\\", "/"))).lower() for n in (a, b))
    shared = len(posixpath.commonprefix([a, b]))
    return shared >= max(3, min(len(a), len(b)) // 2)


def chapter_evidence(entries: Sequence[Entry]) -> float:
    """The larger of: the share of labels with a chapter mark, and the share of
    consecutive links whose file names continue one another."""
    labels = sum(bool(_CHAPTER_MARK.search(e.label)) for e in entries) / len(entries)
    pairs = list(itertools.pairwise(e.target for e in entries))
    names = sum(_continues(a, b) for a, b in pairs) / len(pairs) if pairs else 1.0
    return max(labels, names)


# -- the passes ------------------------------------------------------------------------------


def _fix_targets(db: sqlite3.Connection) -> None:
    """Links to the file they name when the mirror kept it under another spelling: with
    backslashes (``x\\a.txt``, written on Windows) kept as written or as slashes, and
    in another case (``Story01.TXT``: old Windows servers did not care)."""
    db.execute(
        r"""UPDATE links SET target = replace(target, '\', '/')
            WHERE instr(target, '\') AND target NOT IN (SELECT key FROM files)
              AND replace(target, '\', '/') IN (SELECT key FROM files)"""
    )
    db.execute("DROP TABLE IF EXISTS temp.folded")
    db.execute(
        "CREATE TEMP TABLE folded AS SELECT lower(key) AS low, min(key) AS key FROM files "
        "GROUP BY lower(key) HAVING count(*) = 1"
    )
    db.execute("CREATE UNIQUE INDEX temp.folded_low ON folded (low)")
    db.execute(
        """UPDATE links SET target = (SELECT key FROM folded WHERE low = lower(links.target))
           WHERE target NOT IN (SELECT key FROM files)
             AND lower(target) IN (SELECT low FROM folded)"""
    )


_STORY_LINKS = f"""
    CREATE TEMP TABLE story_links AS
    SELECT l.src, l.pos, l.target, l.label, l.authors, f.is_index AS role,
           coalesce(f.html, 0) AS html
    FROM links l LEFT JOIN files f ON f.key = l.target
    WHERE l.target != l.src
      AND (f.is_index IN ({STORY}, {ERROR}) OR (f.key IS NULL AND NOT page_name(l.target)))
"""


def _link_pages(db: sqlite3.Connection) -> None:
    """The temp tables ``story_links`` and ``link_pages`` (key, role, in-degree, number
    of story links)."""
    db.execute("DROP TABLE IF EXISTS temp.story_links")
    db.execute(_STORY_LINKS)
    db.execute("CREATE INDEX temp.story_links_src ON story_links (src, pos)")
    db.execute("DROP TABLE IF EXISTS temp.link_pages")
    db.execute(
        f"""CREATE TEMP TABLE link_pages AS
            SELECT f.key, f.is_index AS role, 0 AS indeg, 0 AS stories FROM files f
            WHERE f.html = 1 AND (f.is_index = {INDEX} OR (f.is_index = {STORY} AND EXISTS (
                SELECT 1 FROM story_links s WHERE s.src = f.key AND s.html = 0)))"""
    )
    db.execute("CREATE UNIQUE INDEX temp.link_pages_key ON link_pages (key)")
    # a link to another link page is a link to that page, not to a story
    db.execute("DELETE FROM story_links WHERE target IN (SELECT key FROM link_pages)")
    db.execute(
        """UPDATE link_pages SET
             indeg = (SELECT count(DISTINCT l.src) FROM links l
                      WHERE l.target = link_pages.key AND l.src != link_pages.key
                        AND l.src IN (SELECT key FROM link_pages)),
             stories = (SELECT count(DISTINCT s.target) FROM story_links s
                        WHERE s.src = link_pages.key)"""
    )


def _children(db: sqlite3.Connection) -> set[str]:
    """Link pages that link a child page: a link page with stories, linked from no more
    link pages than the page itself, by a link that is no way back up (``Home``)."""
    rows = db.execute(
        """SELECT p.key, l.label FROM link_pages p JOIN links l ON l.src = p.key
           JOIN link_pages q ON q.key = l.target
           WHERE q.key != p.key AND q.stories > 0 AND q.indeg <= p.indeg"""
    )
    return {str(k) for k, label in rows if not _NAVIGATION_LABEL.search(label or "")}


def _entries(db: sqlite3.Connection) -> Iterator[tuple[str, list[Entry]]]:
    """Each link page with its story links in order (one page in memory at a time)."""
    rows = db.execute(
        """SELECT s.src, s.pos, s.target, s.label, s.authors, s.role, s.html,
                  (SELECT count(DISTINCT l.src) FROM links l WHERE l.target = s.target
                     AND l.src IN (SELECT key FROM link_pages))
           FROM story_links s JOIN link_pages p ON p.key = s.src ORDER BY s.src, s.pos"""
    )
    for src, group in itertools.groupby(rows, key=lambda r: str(r[0])):
        seen: set[str] = set()
        entries = []
        for _, pos, target, label, authors, role, html, indeg in group:
            if target not in seen:  # a page may link one file twice
                seen.add(target)
                entries.append(
                    Entry(pos, target, label or "", authors or "", role, bool(html), int(indeg))
                )
        yield src, entries


def text_site(db: sqlite3.Connection) -> bool:
    """Whether the stories the site's link pages list are (nearly all) text files."""
    row = db.execute(
        f"""SELECT count(DISTINCT s.target), count(DISTINCT CASE WHEN s.html THEN s.target END)
            FROM story_links s JOIN link_pages p ON p.key = s.src WHERE s.role = {STORY}"""
    ).fetchone()
    total, html = int(row[0]), int(row[1] or 0)
    return total > 0 and html <= TEXT_SITE_HTML_SHARE * total


def read_site(db: sqlite3.Connection, page_name: Callable[[str], bool]) -> None:
    """Read the site's structure from the plan's ``links``: set groups, hints and the
    roles of the site's own pages. `page_name` says whether a file not in the mirror is,
    by its name, a page or furniture rather than a story file."""
    db.create_function("page_name", 1, page_name, deterministic=True)
    db.execute("BEGIN")
    _fix_targets(db)
    _link_pages(db)
    parents = _children(db)
    text = text_site(db)
    for page, found in _entries(db):
        # navigation is no chapter; nor, on a text site, an HTML page a story's page
        # links (a glossary, the author's page): that is the site's own
        entries = [
            e for e in found
            if not e.navigation() and not (text and e.html and e.role == STORY)
        ]  # fmt: skip
        one_story = (
            page not in parents
            and len(entries) >= 2
            and chapter_evidence(entries) >= CHAPTER_EVIDENCE
        )
        if one_story:
            _claim(db, page, entries)
        else:
            _list_hints(db, page, found)
    _site_roles(db, text)
    db.execute("COMMIT")


def _claim(db: sqlite3.Connection, page: str, entries: list[Entry]) -> None:
    """The files of one story's page: one group in the page's order; the rest missing."""
    grp = GROUP_PREFIX + page
    part = 0
    first = None
    for n, e in enumerate(entries, start=1):
        claimed = (
            e.role == STORY
            and db.execute(
                "UPDATE files SET grp = ?, part = ?, total = NULL WHERE key = ? "
                "AND grp NOT LIKE 'efiction:%' AND grp NOT LIKE 'page:%'",
                (grp, part + 1, e.target),
            ).rowcount
        )
        if claimed:
            part += 1
            first = first or e.target
            continue
        why = (
            "an error page saved in its place" if e.role == ERROR
            else "not in the mirror" if e.role is None
            else "joined into another story"
        )  # fmt: skip
        label = f" “{e.label}”" if e.label else ""
        db.execute(
            "INSERT INTO site_missing VALUES (?, ?, ?)",
            (grp, n, f"chapter {n} of {len(entries)}{label} ({e.target}, {why})"),
        )
    db.execute(
        "INSERT OR IGNORE INTO page_roles VALUES (?, ?, ?)",
        (page, "story", f"the page of one story's {len(entries)} chapters"
         + (f", joined in its order into the work {first}" if first else
            ", none of them in the mirror")),
    )  # fmt: skip
    if first is not None:
        title, authors = _story_title(db, page)
        db.execute("INSERT INTO hints VALUES (?, ?, ?, 0, ?, ?)", (first, title, authors, page, 0))


def _story_title(db: sqlite3.Connection, page: str) -> tuple[str | None, str]:
    """How the site names the story of `page`: the label of the link into it from the
    link page listing the most stories, else the page's own title; the author that link
    names, else the page's own by-line."""
    rows = db.execute(
        """SELECT l.label, l.authors FROM links l JOIN link_pages p ON p.key = l.src
           WHERE l.target = ? AND l.label != '' ORDER BY p.stories DESC, l.src, l.pos""",
        (page,),
    )
    found = [(str(t), str(a or "")) for t, a in rows]
    own = db.execute("SELECT title, byline FROM files WHERE key = ?", (page,)).fetchone()
    title = next((title_of(t) for t, _ in found if title_of(t)), None)
    title = title or (title_of(own[0]) if own else None)
    authors = next((a for _, a in found if a), None) or (own[1] if own and own[1] else "")
    return title, authors


def _entry_title(entry: Entry) -> str | None:
    """A listing's label for a file as its title; a directory index's label, the file's
    own name, is none."""
    name = posixpath.basename(entry.target)
    return None if entry.label.casefold() == name.casefold() else title_of(entry.label)


def _list_hints(db: sqlite3.Connection, page: str, entries: list[Entry]) -> None:
    listed = [e for e in entries if e.role == STORY]
    db.executemany(
        "INSERT INTO hints VALUES (?, ?, ?, 1, ?, ?)",
        [(e.target, _entry_title(e), e.authors, page, len(listed)) for e in listed],
    )
    what = f"a list of {len(listed)} stories" if listed else "a page of links, no story"
    db.execute("INSERT OR IGNORE INTO page_roles VALUES (?, ?, ?)", (page, "list", what))


# HTML pages a listing names under an author beside that author's text stories: a
# site of text stories whose authors sent in some HTML.
_LISTED_WITH_TEXT = """
    SELECT h.target FROM hints h WHERE h.rank = 1 AND h.authors != '' AND EXISTS (
        SELECT 1 FROM hints t JOIN files f ON f.key = t.target
        WHERE t.rank = 1 AND t.via = h.via AND t.authors = h.authors AND f.html = 0)"""


def _site_roles(db: sqlite3.Connection, text: bool) -> None:
    """Link pages, link-only pages and (on a text site) other HTML pages are site pages."""
    db.execute(
        f"""INSERT OR IGNORE INTO page_roles SELECT key, 'list', 'a page of links, no story'
            FROM files WHERE is_index = {INDEX} AND key NOT IN (SELECT key FROM page_roles)"""
    )
    if text:
        db.execute(
            f"""INSERT OR IGNORE INTO page_roles SELECT key, 'page',
                  'a page of the site (its stories are text files, listed on its pages)'
                FROM files WHERE is_index = {STORY} AND html = 1 AND grp NOT LIKE 'page:%'
                  AND grp NOT LIKE 'efiction:%' AND key NOT IN (SELECT key FROM page_roles)
                  AND key NOT IN ({_LISTED_WITH_TEXT})"""
        )
    db.execute(
        f"UPDATE files SET is_index = {SITE}, grp = key, part = 1 "
        "WHERE key IN (SELECT key FROM page_roles)"
    )
