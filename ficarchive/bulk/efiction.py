"""eFiction dumps: a site's ``stories/`` folder read with its database dump beside it.

eFiction, the PHP archive most fan fiction sites of the 2000s ran on, kept each chapter's
text in ``stories/AUTHOR_ID/CHAPTER_ID.txt`` (or in the database itself) and everything
else in MySQL: which chapters make a story and in what order, the story's title, author,
co-authors, summary, notes, rating, characters, categories and genres. A rescued site
is often exactly that folder and a ``.sql`` dump. Without the dump every chapter file
is a story of its own with no title; with it, the planning pass

1. reads the dump (`load_dump`, streamed through `sqldump.rows`) into ``ef_*`` tables of
   the plan,
2. puts each chapter file into its story's group, in eFiction's order (`assign`); a
   chapter whose text is in the database and not on disk becomes a part of its own,
   read from the plan (key ``DUMP#chapter=ID``), so nothing in the dump is left out,
3. names every chapter the database lists but the source lacks (`missing`), and every
   story none of whose chapters is there (`absent_stories`);

and each worker lays the database's record over the rescued Work (`apply_record`): the
database is the site's own word, so it wins over what the rescue read in the prose, and
every field it sets or overrides is noted in the Work's diagnostics.

The tables are found by name with any prefix (``fanfiction_stories``, ``efic_chapters``);
eFiction 3's columns are read (1.x kept chapters as stories and is not joined).
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ftfy
import nh3

from ficarchive.bulk.output import INDEX, MISSING
from ficarchive.bulk.sqldump import rows
from ficarchive.tags.fandoms import KNOWN_FANDOMS, canonical_fandom
from ficarchive.tags.ratings import map_rating
from ficarchive.work import Chapter, Diagnostic, Notes, Repair, SeriesPart, Work

GROUP_PREFIX = "efiction:"
_DUMP_NAME = re.compile(r"\.sql(?:\.gz)?$", re.I)
_SQL = re.compile(
    rb"^\s*(?:--|/\*|#|(?:CREATE|INSERT|DROP|LOCK|SET|USE|REPLACE|BEGIN|START)\s)", re.I | re.M
)
_CHAPTER_FILE = re.compile(
    r"^(?P<root>(?:.*/)?)stories/(?P<uid>\d+)/(?P<chapid>\d+)\.[A-Za-z0-9]{1,5}$"
)
_LOOKUPS = {  # table: (its id column, its name column)
    "authors": ("uid", "penname"),
    "ratings": ("rid", "rating"),
    "characters": ("charid", "charname"),
    "categories": ("catid", "category"),
    "classes": ("class_id", "class_name"),
    "challenges": ("chalid", "title"),
}
# eFiction 3's columns in table order: a data-only dump (``mysqldump --no-create-info``)
# names none, so its values are read in this order.
_EFICTION3_COLUMNS = {
    "authors": ("uid", "penname", "realname", "email", "website", "bio", "image", "date"),
    "ratings": ("rid", "rating", "ratingwarning", "warningtext"),
    "characters": ("charid", "catid", "charname", "bio", "image"),
    "categories": ("catid", "parentcatid", "category", "description", "image"),
    "classes": ("class_id", "class_type", "class_name"),
    "challenges": ("chalid", "challenger", "uid", "title", "catid", "characters", "summary"),
    "coauthors": ("sid", "uid"),
    "series": ("seriesid", "title", "summary", "uid", "isopen"),
    "inseries": ("seriesid", "sid", "subseriesid", "confirmed", "inorder"),
    "chapters": (
        "chapid", "title", "inorder", "notes", "storytext", "endnotes", "validated",
        "wordcount", "rating", "reviews", "sid", "uid", "count",
    ),
    "stories": (
        "sid", "title", "summary", "storynotes", "catid", "classes", "charid", "rid", "date",
        "updated", "uid", "coauthors", "featured", "validated", "completed", "rr",
        "wordcount", "rating", "reviews", "count", "challenges",
    ),
}  # fmt: skip
_STORY_COLUMNS = (
    "sid", "title", "summary", "storynotes", "catid", "classes", "charid", "rid", "date",
    "updated", "uid", "coauthors", "completed", "challenges",
)  # fmt: skip
_CHAPTER_COLUMNS = ("chapid", "sid", "uid", "inorder", "title", "notes", "endnotes")
_INLINE = (("i", "em"), ("b", "strong"), ("em", "em"), ("strong", "strong"), ("u", "u"), ("s", "s"))
_PARAGRAPH_BREAK = re.compile(r"</?p\b[^>]*>|<br\s*/?>\s*(?:<br\s*/?>\s*)+|\n\s*\n", re.I)

SCHEMA = """
CREATE TABLE IF NOT EXISTS ef_lookup (dump TEXT, kind TEXT, id TEXT, name TEXT,
    PRIMARY KEY (dump, kind, id));
CREATE TABLE IF NOT EXISTS ef_coauthor (dump TEXT, sid INTEGER, uid TEXT);
CREATE INDEX IF NOT EXISTS ef_coauthor_story ON ef_coauthor (dump, sid);
CREATE TABLE IF NOT EXISTS ef_inseries (dump TEXT, sid INTEGER, seriesid TEXT, inorder INTEGER);
CREATE INDEX IF NOT EXISTS ef_inseries_story ON ef_inseries (dump, sid);
CREATE TABLE IF NOT EXISTS ef_story (dump TEXT, sid INTEGER, fields TEXT,
    PRIMARY KEY (dump, sid));
CREATE TABLE IF NOT EXISTS ef_chapter (dump TEXT, chapid INTEGER, sid INTEGER, uid TEXT,
    inorder INTEGER, fields TEXT, text BLOB, file TEXT, PRIMARY KEY (dump, chapid));
CREATE INDEX IF NOT EXISTS ef_chapter_story ON ef_chapter (dump, sid);
CREATE INDEX IF NOT EXISTS ef_chapter_id ON ef_chapter (chapid);
"""


# -- finding and reading the dump ------------------------------------------------------------


def is_dump(key: str, head: bytes) -> bool:
    """Whether the file `key` (first bytes `head`) is a MySQL dump: read as a database,
    never rescued as a story (`load_dump` finds whether it holds an eFiction site: its
    tables come in name order, so the stories table can be megabytes in)."""
    if not _DUMP_NAME.search(key):
        return False
    if key.lower().endswith(".gz"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(head) * 8)
        except zlib.error:
            return False
    return _SQL.search(head) is not None


def gunzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A gzip stream inflated (every member of it); one cut short raises `EOFError`."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    for chunk in chunks:
        while chunk:
            yield inflate.decompress(chunk)
            chunk = inflate.unused_data  # the start of the next member
            if chunk:
                inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    yield inflate.flush()
    if not inflate.eof:
        raise EOFError("the .gz file is cut short")


def _table(name: str) -> tuple[str, str]:
    """``fanfiction_stories`` -> (``fanfiction_``, ``stories``): the install's prefix and
    the eFiction table a dump's table is."""
    kind = name.lower().rsplit("_", 1)[-1]
    return name[: len(name) - len(kind)], kind


@dataclass(frozen=True)
class Loaded:
    """What one dump held: its stories and chapters, and the table prefixes of other
    eFiction installs in it, left out (one install a dump is read)."""

    stories: int
    chapters: int
    other_installs: tuple[str, ...] = ()


def clear(db: sqlite3.Connection) -> None:
    """Forget every dump read (a planning pass starts again from the listing)."""
    db.executescript(SCHEMA)
    for table in ("ef_lookup", "ef_coauthor", "ef_inseries", "ef_story", "ef_chapter"):
        db.execute(f"DELETE FROM {table}")


def load_dump(db: sqlite3.Connection, dump: str, chunks: Iterator[bytes]) -> Loaded:
    """The eFiction tables of one dump into the plan.

    Raises `sqldump.DumpError` for a dump that cannot be read."""
    db.executescript(SCHEMA)
    db.execute("BEGIN")
    prefix: str | None = None
    others: set[str] = set()
    for row in rows(chunks):
        install, table = _table(row.table)
        if table not in _EFICTION3_COLUMNS:
            continue
        if table in ("stories", "chapters"):
            prefix = install if prefix is None else prefix
        if prefix is not None and install != prefix:
            others.add(install)
            continue
        _store(db, dump, table, row.values)
    db.execute("COMMIT")
    counts = [
        db.execute(f"SELECT count(*) FROM {t} WHERE dump = ?", (dump,)).fetchone()[0]
        for t in ("ef_story", "ef_chapter")
    ]
    return Loaded(counts[0], counts[1], tuple(sorted(others)))


def _store(db: sqlite3.Connection, dump: str, table: str, values: dict[str, Any]) -> None:
    if "0" in values:  # no column names in the dump: eFiction 3's order
        values = dict(zip(_EFICTION3_COLUMNS[table], values.values(), strict=False))
    if table == "authors" and values.get("uid") is not None and _text(values.get("email")):
        db.execute(  # the author's e-mail: Open Doors writes to it to invite them
            "INSERT OR REPLACE INTO ef_lookup VALUES (?, 'emails', ?, ?)",
            (dump, _id(values["uid"]), _text(values.get("email"))),
        )
    if table == "series" and values.get("seriesid") is not None:
        db.execute(
            "INSERT OR REPLACE INTO ef_lookup VALUES (?, 'series', ?, ?)",
            (dump, _id(values["seriesid"]), _text(values.get("title"))),
        )
    elif table == "inseries" and values.get("sid") is not None:
        db.execute(
            "INSERT INTO ef_inseries VALUES (?, ?, ?, ?)",
            (dump, _number(values["sid"]), _id(values.get("seriesid")),
             _number(values.get("inorder"))),
        )  # fmt: skip
    elif table in _LOOKUPS:
        id_column, name_column = _LOOKUPS[table]
        if values.get(id_column) is not None:
            db.execute(
                "INSERT OR REPLACE INTO ef_lookup VALUES (?, ?, ?, ?)",
                (dump, table, _id(values[id_column]), _text(values.get(name_column))),
            )
    elif table == "coauthors" and values.get("sid") is not None:
        db.execute(
            "INSERT INTO ef_coauthor VALUES (?, ?, ?)",
            (dump, _number(values["sid"]), _id(values.get("uid"))),
        )
    elif table == "stories" and values.get("sid") is not None:
        fields = {c: _text(values.get(c)) for c in _STORY_COLUMNS if c in values}
        db.execute(
            "INSERT OR REPLACE INTO ef_story VALUES (?, ?, ?)",
            (dump, _number(values["sid"]), json.dumps(fields)),
        )
    elif table == "chapters" and values.get("chapid") is not None and "sid" in values:
        text = values.get("storytext")
        fields = {c: _text(values.get(c)) for c in ("title", "notes", "endnotes")}
        db.execute(
            "INSERT OR REPLACE INTO ef_chapter VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                dump, _number(values["chapid"]), _number(values["sid"]),
                _id(values.get("uid")), _number(values.get("inorder")), json.dumps(fields),
                text if isinstance(text, bytes) and text.strip() else None,
            ),
        )  # fmt: skip


def _id(value: Any) -> str:
    """An id as text, however the dump wrote it (``3``, ``'3'``): ``3``."""
    return (_text(value) or "").strip()


def _date(value: str | None) -> str | None:
    """``2004-05-01 12:00:00`` -> ``2004-05-01``; eFiction 3.5 kept a Unix time
    (``1083412800``); MySQL's zero date is no date."""
    value = (value or "").strip()
    if value.isdigit() and int(value) > 0:
        return datetime.fromtimestamp(int(value), UTC).date().isoformat()
    day = value[:10]
    return day if re.fullmatch(r"\d{4}-\d\d-\d\d", day) and not day.startswith("0000") else None


def _rating(named: list[str], written: str | None) -> str | None:
    """The rating's name; an id the ratings table lacks is no rating, but eFiction 1
    kept the name itself (``PG-13``)."""
    if named:
        return named[0]
    return written if written and not written.strip().isdigit() else None


def _number(value: Any) -> int:
    """A number however the dump wrote it (``3``, ``'3'``); 0 for none."""
    try:
        return int(_text(value) or 0)
    except ValueError:
        return 0


def _text(value: Any) -> str | None:
    """A database value as text: UTF-8 if it is, else Windows-1252 (what Latin-1 tables
    held in practice)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("cp1252", "replace")
    return str(value)


# -- grouping the files ------------------------------------------------------------------------


def _nearest(root: str, dumps: Sequence[str]) -> list[str]:
    """The dumps a ``stories/`` folder under `root` may belong to, nearest first: those
    sharing most of its path (a mirror holds one site; a collection, a dump a site)."""

    def shared(dump: str) -> int:
        a, b = posixpath.dirname(dump).split("/"), root.rstrip("/").split("/")
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        return n

    return sorted(dumps, key=shared, reverse=True)


# A chapter whose text only this dump's database holds (no file; no copy of the site
# read before it has the same chapter by the same author).
_HELD_ONLY_HERE = """c.file IS NULL AND c.text IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM ef_chapter t WHERE t.chapid = c.chapid AND t.uid = c.uid
    AND t.dump != c.dump AND t.file IS NOT NULL)"""


def assign(db: sqlite3.Connection, dumps: Sequence[str]) -> None:
    """Chapter files into their stories' groups; chapters held only in the database
    become parts of their own. Parts are numbered in eFiction's chapter order.

    A file ``stories/UID/ID.txt`` is chapter ID of the nearest dump whose chapter ID is
    by author UID (chapter ids repeat from site to site: the author must agree too)."""
    if not dumps:
        return
    db.execute("BEGIN")
    found = db.execute("SELECT key FROM files WHERE key LIKE '%stories/%' AND is_index = 0")
    for (key,) in found:  # streamed: a site of a million files is never a list here
        match = _CHAPTER_FILE.match(key)
        if match is None:
            continue
        for dump in _nearest(match["root"], dumps):
            claimed = db.execute(
                "UPDATE ef_chapter SET file = ? WHERE dump = ? AND chapid = ? AND file IS NULL "
                "AND uid IN (?, '')",
                (key, dump, int(match["chapid"]), match["uid"]),
            )
            if claimed.rowcount:
                break
    for dump in dumps:
        db.execute(
            "INSERT OR IGNORE INTO files (key, size, grp, part, is_index) "
            "SELECT ? || '#chapter=' || chapid, length(text), ?, 1, 0 FROM ef_chapter c "
            f"WHERE dump = ? AND {_HELD_ONLY_HERE} ORDER BY sid, inorder, chapid",
            (dump, dump, dump),
        )
        db.execute(
            "UPDATE ef_chapter AS c SET file = ? || '#chapter=' || chapid "
            f"WHERE dump = ? AND {_HELD_ONLY_HERE}",
            (dump, dump),
        )
    db.execute("DROP TABLE IF EXISTS temp.ef_order")
    db.execute(
        f"""CREATE TEMP TABLE ef_order AS
            SELECT file, '{GROUP_PREFIX}' || dump || '#sid=' || sid AS grp,
                   ROW_NUMBER() OVER (PARTITION BY dump, sid ORDER BY inorder, chapid) AS n
            FROM ef_chapter WHERE file IS NOT NULL"""
    )
    db.execute("CREATE UNIQUE INDEX temp.ef_order_file ON ef_order (file)")
    db.execute(
        "UPDATE files SET grp = (SELECT grp FROM ef_order WHERE file = files.key), "
        "part = (SELECT n FROM ef_order WHERE file = files.key), total = NULL "
        "WHERE key IN (SELECT file FROM ef_order)"
    )
    db.execute("DROP TABLE temp.ef_order")
    db.execute("COMMIT")


def _story_of(grp: str) -> tuple[str, int]:
    dump, sid = grp.removeprefix(GROUP_PREFIX).rsplit("#sid=", 1)
    return dump, int(sid)


def missing(db: sqlite3.Connection, grp: str) -> list[str]:
    """The chapters the database lists for this story that the source does not hold."""
    dump, sid = _story_of(grp)
    chapters = db.execute(
        "SELECT chapid, uid, fields, file FROM ef_chapter WHERE dump = ? AND sid = ? "
        "ORDER BY inorder, chapid",
        (dump, sid),
    ).fetchall()
    title = _title(db, dump, sid)
    lost = []
    for n, (chapid, uid, fields, file) in enumerate(chapters, start=1):
        if file is None:
            name = json.loads(fields).get("title")
            named = f" “{name}”" if name else ""
            lost.append(
                f"chapter {n} of {len(chapters)}{named} (stories/{uid}/{chapid}.txt) of "
                f"“{title}” (story {sid} of {dump})"
            )
    return lost


def _story(db: sqlite3.Connection, dump: str, sid: int) -> dict[str, Any]:
    """The story row's fields ({} for a story the database's chapters name but its
    stories table lacks)."""
    row = db.execute("SELECT fields FROM ef_story WHERE dump = ? AND sid = ?", (dump, sid))
    found = row.fetchone()
    return json.loads(found[0]) if found else {}


def _title(db: sqlite3.Connection, dump: str, sid: int) -> str:
    return str(_story(db, dump, sid).get("title") or "untitled")


def absent_stories(db: sqlite3.Connection, dumps: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    """(dump, reason, report kind) for each story of the database none of whose chapters
    is there. A story whose every chapter (same id, same author) a dump listed earlier
    has too is a copy of that one (two backups of one site), which says what is missing:
    such stories are one line a dump."""
    for n, dump in enumerate(dumps):
        copies: dict[str, int] = {}
        for sid, fields in db.execute(
            "SELECT s.sid, s.fields FROM ef_story s WHERE s.dump = ? AND NOT EXISTS ("
            "SELECT 1 FROM ef_chapter c WHERE c.dump = s.dump AND c.sid = s.sid "
            "AND c.file IS NOT NULL) ORDER BY s.sid",
            (dump,),
        ):
            count = db.execute(
                "SELECT count(*) FROM ef_chapter WHERE dump = ? AND sid = ?", (dump, sid)
            ).fetchone()[0]
            original = _copied_from(db, dump, sid, dumps[:n]) if count else None
            if original is not None:
                copies[original] = copies.get(original, 0) + 1
                continue
            title = json.loads(fields).get("title") or "untitled"
            lacks = (
                f"but none of its {count} chapter(s) is in the source"
                if count
                else ("with no chapters at all")
            )
            yield dump, f"{dump}: story {sid} “{title}” is in the database {lacks}", MISSING
        for original, many in copies.items():
            copied = f"{many} of its stories are stories of {original} too (the same chapters)"
            yield dump, f"{dump}: {copied}; read from there (two copies of one site?)", INDEX


def _copied_from(db: sqlite3.Connection, dump: str, sid: int, earlier: Sequence[str]) -> str | None:
    """The first of the `earlier` dumps holding every chapter of this story, if any."""
    for other in earlier:
        row = db.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM ef_chapter c WHERE c.dump = ? AND c.sid = ? "
            "AND NOT EXISTS (SELECT 1 FROM ef_chapter t WHERE t.dump = ? "
            "AND t.chapid = c.chapid AND t.uid = c.uid))",
            (dump, sid, other),
        ).fetchone()
        if row[0]:
            return other
    return None


def stored_text(db: sqlite3.Connection, key: str) -> bytes | None:
    """The text of a chapter held only in the database (key ``DUMP#chapter=ID``)."""
    if "#chapter=" not in key:
        return None
    dump, chapid = key.rsplit("#chapter=", 1)
    row = db.execute(
        "SELECT text FROM ef_chapter WHERE dump = ? AND chapid = ?", (dump, int(chapid))
    ).fetchone()
    return None if row is None else bytes(row[0])


# -- the record of one story --------------------------------------------------------------------


def record(db: sqlite3.Connection, grp: str) -> dict[str, Any]:
    """What the database says of the story of group `grp`, names looked up."""
    dump, sid = _story_of(grp)
    fields = _story(db, dump, sid)

    def names(kind: str, ids: str | None) -> list[str]:
        found = []
        for i in re.split(r"[,\s]+", ids or ""):
            if i and i != "0":
                hit = db.execute(
                    "SELECT name FROM ef_lookup WHERE dump = ? AND kind = ? AND id = ?",
                    (dump, kind, i),
                ).fetchone()
                if hit and hit[0] and hit[0] not in found:
                    found.append(hit[0])
        return found

    coauthors = [u for (u,) in db.execute(
        "SELECT uid FROM ef_coauthor WHERE dump = ? AND sid = ?", (dump, sid))]  # fmt: skip
    rating = fields.get("rid")
    listed = fields.get("coauthors") or ""  # 3.x: their ids; 3.5: a flag (the table says)
    listed = "" if listed.strip() in ("0", "1") else listed
    chapters = {
        file: json.loads(ch)
        for file, ch in db.execute(
            "SELECT file, fields FROM ef_chapter WHERE dump = ? AND sid = ? AND file IS NOT NULL",
            (dump, sid),
        )
    }
    return {
        "dump": dump,
        "sid": sid,
        "title": fields.get("title"),
        "authors": names("authors", " ".join([fields.get("uid") or "", listed, *coauthors])),
        "summary": fields.get("summary"),
        "notes": fields.get("storynotes"),
        "rating": _rating(names("ratings", rating), rating),
        "characters": names("characters", fields.get("charid")),
        "categories": names("categories", fields.get("catid")),
        "classes": names("classes", fields.get("classes")),
        "challenges": names("challenges", fields.get("challenges")),
        "published": _date(fields.get("date")),
        "updated": _date(fields.get("updated")),
        "completed": fields.get("completed"),
        "emails": names("emails", fields.get("uid")),
        "series": _series(db, dump, sid, names),
        "chapters": chapters,
    }


def _series(
    db: sqlite3.Connection, dump: str, sid: int, names: Any
) -> list[tuple[str, int | None]]:
    """(series title, the story's place in it) of each eFiction series the story is in."""
    rows = db.execute(
        "SELECT seriesid, inorder FROM ef_inseries WHERE dump = ? AND sid = ? ORDER BY seriesid",
        (dump, sid),
    ).fetchall()
    return [(name, part or None) for series_id, part in rows for name in names("series", series_id)]


# -- on the worker: the record laid over the rescued Work -------------------------------------


def title_chapters(
    parts: list[tuple[str, Work]], chapters: dict[str, Any]
) -> list[tuple[str, Work]]:
    """Each part's first chapter titled as the database titles it, where the text did not."""
    titled = []
    for key, work in parts:
        name = _plain((chapters.get(key) or {}).get("title"))
        if name and work.chapters and not work.chapters[0].title:
            first = Chapter(name, work.chapters[0].sections)
            work = work.evolve(chapters=(first, *work.chapters[1:]))
        titled.append((key, work))
    return titled


def apply_record(work: Work, rec: dict[str, Any]) -> Work:
    """The database's fields over the Work; each one set or overridden is noted."""
    where = f"the eFiction database {rec['dump']} (story {rec['sid']})"
    changes: dict[str, Any] = {}
    notes: list[Diagnostic] = []
    repairs: list[Repair] = []

    def fixed(value: str | None) -> str | None:
        if not value:
            return value
        mended = ftfy.fix_text(value, uncurl_quotes=False)
        if mended != value:
            repairs.append(Repair("mojibake: eFiction database text", value, mended))
        return mended

    def put(name: str, value: Any, shown: str) -> None:
        current = getattr(work, name)
        if not value or value == current:
            return
        changes[name] = value
        said = f"; the text said {_shown(current)}" if current else ""
        label = name.replace("_source", "").replace("_", " ")
        notes.append(Diagnostic("efiction", f"{label} from {where}{said}", shown))

    def text(value: str | None) -> str:
        return _plain(fixed(value)) or ""

    def texts(name: str) -> list[str]:
        return [t for t in map(text, rec.get(name, ())) if t]

    title = text(rec.get("title"))
    put("title", title, title)
    authors = tuple(texts("authors"))
    put("authors", authors, ", ".join(authors))
    summary = text(rec.get("summary"))
    put("summary", summary, summary)
    written = text(rec.get("rating"))
    put("rating_source", written, written)
    if "rating_source" in changes:
        changes["rating"] = map_rating(written)
    characters = tuple(texts("characters"))
    put("characters", _merged(work.characters, characters), ", ".join(characters))
    named = [(c, canonical_fandom(c)) for c in texts("categories")]
    fandoms = tuple(f for _, f in named if f in KNOWN_FANDOMS)
    put("fandoms", _merged(work.fandoms, fandoms), ", ".join(fandoms))
    extra = [c for c, f in named if f not in KNOWN_FANDOMS] + texts("classes")
    put("tags", _merged(work.tags, tuple(extra)), ", ".join(extra))
    challenges = "; ".join(texts("challenges"))
    if not work.challenge:
        put("challenge", challenges, challenges)
    if not work.published:
        put("published", rec.get("published"), rec.get("published") or "")
        if "published" in changes:
            changes["published_as_written"] = rec.get("published")
    if rec.get("updated"):
        put("updated", rec.get("updated"), rec["updated"])
        changes.setdefault("updated_as_written", rec.get("updated"))
    emails = [e for e in texts("emails") if "@" in e]
    if emails and not work.feedback:
        put("feedback", emails[0], emails[0])
    series = tuple(SeriesPart(text(n), int(p) if p else None) for n, p in rec.get("series", ()))
    put("series", tuple(s for s in series if s.name), "; ".join(s.name for s in series))
    completed = (rec.get("completed") or "").strip()
    if completed in ("0", "1") and work.complete is not (completed == "1"):
        changes["complete"] = completed == "1"
        status = "complete" if completed == "1" else "in progress"
        notes.append(Diagnostic("efiction", f"{status}, as {where} says", status))
    if not work.looks_like_story:  # short chapters can read as notes: the site says story
        changes["looks_like_story"] = True
        notes.append(Diagnostic("efiction", f"a story, as {where} lists it", title or None))
    story_notes = _paragraphs(fixed(rec.get("notes")))
    if story_notes:
        changes["notes"] = Notes((*story_notes, *work.notes.beginning), work.notes.end)
        notes.append(Diagnostic("efiction", f"story notes from {where}", " ".join(story_notes)))
    if not changes:
        return work
    return work.evolve(
        **changes,
        repairs=(*work.repairs, *repairs),
        diagnostics=(*work.diagnostics, *notes),
    )


def _merged(have: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    seen = {h.casefold() for h in have}
    return (*have, *(m for m in more if m and m.casefold() not in seen))


def _shown(value: Any) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def _plain(value: str | None) -> str | None:
    """Database HTML (eFiction allowed it in titles and summaries) as one line of text."""
    if not value:
        return None
    text = html.unescape(nh3.clean(value, tags=set()))
    return " ".join(text.split()) or None


def _paragraphs(value: str | None) -> tuple[str, ...]:
    """Database HTML as paragraphs of the Work's small tag set."""
    if not value:
        return ()
    for old, new in _INLINE:
        value = re.sub(rf"<(/?){old}\b[^>]*>", rf"<\1{new}>", value, flags=re.I)
    found = []
    for chunk in _PARAGRAPH_BREAK.split(value):
        cleaned = nh3.clean(chunk, tags={"em", "strong", "u", "s", "br"}).strip()
        cleaned = re.sub(r"^(?:<br>\s*)+|(?:\s*<br>)+$", "", cleaned)
        if cleaned:
            found.append(" ".join(cleaned.split()))
    return tuple(found)
