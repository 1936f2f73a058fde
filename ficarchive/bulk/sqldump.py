"""Rows out of a MySQL dump (mysqldump, phpMyAdmin), streamed: a statement at a time.

A dead eFiction site often survives as its ``stories/`` folder and a ``.sql`` dump of its
database: the only place that says which chapter files make up which story, in what
order, and under what title. `rows` reads such a dump front to back and yields one
`Row` per inserted tuple, with its column names (from the ``INSERT`` itself or the
``CREATE TABLE`` before it), without holding more than one statement in memory.

Values come back as MySQL wrote them: numbers as `int` or `float`, ``NULL`` as `None`,
strings as `bytes` (the dump's own bytes, escapes undone: a site's database often holds
Windows-1252 text declared as Latin-1, so decoding is left to the caller), and hex
literals (``0x…``) as `bytes`.

>>> dump = b"CREATE TABLE `t` (`id` int, `name` text, PRIMARY KEY (`id`));\\n" \\
...        b"INSERT INTO `t` VALUES (1,'Ana\\\\'s'),(2,NULL);"
>>> [(r.table, r.values) for r in rows(iter([dump]))]
[('t', {'id': 1, 'name': b"Ana's"}), ('t', {'id': 2, 'name': None})]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# A statement longer than this is not from a dump a site could have restored (mysqldump
# cuts extended inserts at its --net-buffer-length, 1 MB by default): it stops the read,
# which holds one statement in memory at a time.
MAX_STATEMENT_BYTES = 256 * 2**20

_TOKEN = re.compile(
    rb"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*(?:\n|\Z)|\#[^\n]*(?:\n|\Z)|/\*.*?\*/)
    | '(?P<string>[^'\\]*(?:(?:\\.|'')[^'\\]*)*)'
    | "(?P<dstring>[^"\\]*(?:(?:\\.|"")[^"\\]*)*)"
    | `(?P<ident>(?:[^`]|``)*)`
    | 0x(?P<hex>[0-9A-Fa-f]*) | [xX]'(?P<xhex>[0-9A-Fa-f]*)'
    | [bB]'(?P<bits>[01]*)'
    | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_$][A-Za-z0-9_$]*)
    | (?P<punct>[(),;])
    | (?P<other>.)
    """,
    re.X | re.S,
)
# What a token that starts with a quote or a comment opener needs to be whole: when the
# buffer ends before it closes, more of the dump is read first.
_OPENERS = (b"'", b'"', b"`", b"/*")
_ESCAPES = {
    b"0": b"\0", b"b": b"\b", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"Z": b"\x1a",
    b"%": b"\\%", b"_": b"\\_",
}  # fmt: skip
# An escape, or the string's own quote doubled ('it''s', "say ""hi""").
_ESCAPE = {b"'": re.compile(rb"\\(.)|''", re.S), b'"': re.compile(rb'\\(.)|""', re.S)}
_NOT_COLUMNS = {
    "PRIMARY", "KEY", "UNIQUE", "INDEX", "CONSTRAINT", "FULLTEXT", "FOREIGN", "CHECK",
    "SPATIAL", "PERIOD",
}  # fmt: skip
_INSERT_WORDS = {"INSERT", "REPLACE"}
_MODIFIERS = {"INTO", "IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"}


class DumpError(ValueError):
    """The dump cannot be read as SQL (cut off mid-statement, or not a dump at all)."""


@dataclass(frozen=True)
class Row:
    table: str
    values: dict[str, Any]


def _unescape(raw: bytes, quote: bytes) -> bytes:
    if b"\\" not in raw and quote * 2 not in raw:
        return raw

    def one(match: re.Match[bytes]) -> bytes:
        if match[1] is None:
            return match[0][:1]
        return _ESCAPES.get(match[1], match[1])

    return _ESCAPE[quote].sub(one, raw)


Token = tuple[str, Any]


def _tokens(chunks: Iterable[bytes]) -> Iterator[Token]:
    """Tokens of the dump, comments and space dropped; ``(';', None)`` ends a statement."""
    buffer = b""
    at = 0
    pending = iter(chunks)
    more = True
    statement = 0  # bytes of the statement so far: one statement is held in memory
    while True:
        match = _TOKEN.match(buffer, at)
        opener = match is not None and match.lastgroup == "other"
        opener = opener and buffer.startswith(_OPENERS, at)
        if match is None or (more and (match.end() >= len(buffer) or opener)):
            if not more:
                return  # nothing left (a token that ends the buffer is whole at the end)
            if len(buffer) - at + statement > MAX_STATEMENT_BYTES:  # one unclosed quote
                raise DumpError(f"a statement longer than {MAX_STATEMENT_BYTES >> 20} MB")
            chunk = next(pending, None)
            if chunk is None:
                more = False
            else:
                buffer, at = buffer[at:] + chunk, 0
            continue
        if opener:
            raise DumpError("the dump ends inside a quoted value or a comment")
        assert match is not None
        statement += match.end() - at
        if statement > MAX_STATEMENT_BYTES:
            raise DumpError(f"a statement longer than {MAX_STATEMENT_BYTES >> 20} MB")
        at = match.end()
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        if kind == "string":
            yield "value", _unescape(match[kind], b"'")
        elif kind == "dstring":  # a value, or a name where the dump is ANSI-quoted
            yield "dvalue", _unescape(match[kind], b'"')
        elif kind in ("hex", "xhex"):
            digits = match[kind].decode()
            yield "value", bytes.fromhex(digits if len(digits) % 2 == 0 else "0" + digits)
        elif kind == "bits":
            yield "value", int(match["bits"] or b"0", 2)
        elif kind == "number":
            text = match["number"].decode()
            yield "value", float(text) if any(c in text for c in ".eE") else int(text)
        elif kind == "ident":
            yield "name", match["ident"].replace(b"``", b"`").decode("utf-8", "replace")
        elif kind == "word":
            word = match["word"].decode()
            yield ("value", None) if word.upper() == "NULL" else ("word", word)
        else:
            statement = 0 if match[0] == b";" else statement
            yield match[0].decode("latin-1"), None


def _statements(chunks: Iterable[bytes]) -> Iterator[list[Token]]:
    statement: list[Token] = []
    for token in _tokens(chunks):
        if token[0] == ";":
            if statement:
                yield statement
            statement = []
        else:
            statement.append(token)
    if statement:
        yield statement


def rows(chunks: Iterable[bytes]) -> Iterator[Row]:
    """Every row inserted by the dump whose bytes come in `chunks`, in order.

    Raises `DumpError` when the dump is cut off inside a value or holds a statement
    longer than `MAX_STATEMENT_BYTES`.
    """
    columns: dict[str, list[str]] = {}
    for statement in _statements(chunks):
        first = statement[0][1] if statement[0][0] == "word" else ""
        if first.upper() == "CREATE" and _is_table(statement):
            name, names = _create(statement)
            if name:
                columns[name] = names
        elif first.upper() in _INSERT_WORDS:
            yield from _insert(statement, columns)


def _is_table(statement: list[Token]) -> bool:
    words = [str(v).upper() for kind, v in statement[1:4] if kind == "word"]
    return "TABLE" in words


def _ident(token: Token) -> str | None:
    """The name a token gives (`name`, a bare word, an ANSI "name"), else None."""
    kind, value = token
    if kind == "dvalue":
        return bytes(value).decode("utf-8", "replace")
    return str(value) if kind in ("name", "word") else None


def _name(statement: list[Token], start: int) -> tuple[str, int]:
    """The table name at `start` (``db.t`` names the table ``t``); and the index after it."""
    i = start
    while i < len(statement) and statement[i][0] == "word" and str(statement[i][1]).upper() in (
        "IF", "NOT", "EXISTS", "TABLE", "TEMPORARY", *_MODIFIERS,
    ):  # fmt: skip
        i += 1
    name = ""
    while i < len(statement) and (part := _ident(statement[i])) is not None:
        name = part
        i += 1
        if i < len(statement) and statement[i][0] == ".":
            i += 1
        else:
            break
    return name, i


def _create(statement: list[Token]) -> tuple[str, list[str]]:
    name, i = _name(statement, 1)
    names: list[str] = []
    depth = 0
    expect = False
    for token in statement[i:]:
        kind = token[0]
        if kind == "(":
            depth += 1
            expect = depth == 1
        elif kind == ")":
            depth -= 1
        elif kind == "," and depth == 1:
            expect = True
        elif expect:
            column = _ident(token)
            if column is not None and (kind != "word" or column.upper() not in _NOT_COLUMNS):
                names.append(column)
            expect = False
    return name, names


def _insert(statement: list[Token], columns: dict[str, list[str]]) -> Iterator[Row]:
    table, i = _name(statement, 1)
    names = columns.get(table, [])
    if i < len(statement) and statement[i][0] == "(":
        names = []
        i += 1
        while i < len(statement) and statement[i][0] != ")":
            column = _ident(statement[i])
            if column is not None:
                names.append(column)
            i += 1
        i += 1
    values: list[Any] = []
    depth = 0
    for kind, value in statement[i:]:
        if kind == "(":
            depth += 1
            if depth == 1:
                values = []
        elif kind == ")":
            depth -= 1
            if depth == 0:
                yield Row(table, _named(names, values))
        elif depth == 1 and kind in ("value", "dvalue"):
            values.append(value)
        elif depth == 1 and kind == "word" and not _introducer(str(value)):
            values.append(str(value))  # DEFAULT, TRUE, a function name: kept as written
    if depth > 0:
        raise DumpError(f"the dump ends inside a row of {table}")


def _introducer(word: str) -> bool:
    """``_binary 'x'``, ``_utf8mb4 'x'``, ``N'x'``: a word that only says how to read the
    string after it."""
    return word.startswith("_") or word.upper() == "N"


def _named(names: list[str], values: list[Any]) -> dict[str, Any]:
    """Values by column name (a column the dump does not name is called by its number)."""
    return {names[n] if n < len(names) else str(n): v for n, v in enumerate(values)}
