"""Accounts for a shared archive: users and their roles, passwords, sessions, sign-in limits.

Roles: ``owner`` (everything, and the accounts), ``archivist`` (edit works, wrangle tags),
``reader`` (read, keep progress, bookmarks and collections). An archive with no owner has
no accounts at all: the reader works as it always did, for one person, and the write
token alone allows edits. Accounts appear once an owner is made
(``ficarchive users add NAME --role owner``).

Passwords are hashed with Argon2id (argon2-cffi, its default parameters: RFC 9106's
second recommended set); a hash made with weaker parameters is made again at the next
sign-in. KOReader's sync protocol sends the MD5 of the password instead of the
password, so the MD5 is hashed with Argon2id too (``kosync_hash``), when the password is
set. A session is a random token kept by the browser in a cookie; the archive keeps
only its SHA-256, with the session's CSRF token and when it ends.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ficarchive.archive.base import ArchiveBase
from ficarchive.archive.library_schema import LIBRARY_VERSION, library_version
from ficarchive.errors import ArchiveError

ROLES = ("owner", "archivist", "reader")
EDITORS = frozenset({"owner", "archivist"})
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # Argon2 takes any length; a sign-in form of a megabyte is no password
MAX_NAME = 64
SESSION_DAYS = 30
# Sign-in failures allowed in the window before more attempts are refused: per account
# name, and per client address (one address trying many names).
FAILURE_WINDOW_S = 15 * 60
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20

_NAME = re.compile(r"[^\W_][\w .'-]*", re.UNICODE)
_HASHER = PasswordHasher()
# Verified against when no account has the name, so that an unknown name takes as long
# to refuse as a wrong password.
_DUMMY = _HASHER.hash("not a password of anyone's")


class AccountError(ArchiveError):
    """An account cannot be made or changed as asked; the message says why."""

    exit_code = 2


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: str

    @property
    def can_edit(self) -> bool:
        return self.role in EDITORS

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def name_key(name: str) -> str:
    """What two spellings of one account name share (case, width and spacing folded).

    >>> name_key("  Ana  Brightwater "), name_key("ＡＮＡ brightwater")
    ('ana brightwater', 'ana brightwater')
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def check_name(name: str) -> str:
    """The name as it is kept, or `AccountError` saying what is wrong with it."""
    cleaned = " ".join(unicodedata.normalize("NFKC", name).split())
    if not cleaned:
        raise AccountError("an account needs a name")
    if len(cleaned) > MAX_NAME:
        raise AccountError(f"an account name is at most {MAX_NAME} characters")
    if not _NAME.fullmatch(cleaned):
        raise AccountError(
            f"{cleaned!r} cannot be an account name: use letters, digits, spaces, "
            "dots, dashes and apostrophes, starting with a letter or digit"
        )
    return cleaned


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password is at most {MAX_PASSWORD} characters")


def kosync_key(password: str) -> str:
    """What KOReader sends for a password (its sync protocol's ``x-auth-key``)."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


class Accounts:
    """The accounts of one archive (any backend)."""

    def __init__(self, archive: ArchiveBase) -> None:
        self.archive = archive

    def _sql(self, sql: str) -> str:
        return self.archive._sql(sql)

    def _run(self, sql: str, params: Any = ()) -> Any:
        return self.archive._run(self._sql(sql), params)

    @property
    def available(self) -> bool:
        """Whether the archive has the tables (a read-only file from before has not)."""
        return library_version(self.archive._run) >= LIBRARY_VERSION

    def _need_tables(self) -> None:
        if not self.available:
            raise AccountError(
                f"archive {self.archive.location} has no account tables yet and cannot be "
                "given them (it is read-only); open it once where it can be written"
            )

    # -- who there is ----------------------------------------------------------------
    def active(self) -> bool:
        """Whether accounts are on: an owner exists."""
        if not self.available:
            return False
        return bool(self._run("SELECT 1 FROM users WHERE role = 'owner' LIMIT 1"))

    def list(self) -> list[User]:
        if not self.available:
            return []
        rows = self._run("SELECT id, name, role, created_at FROM users ORDER BY name_key")
        return [User(int(r[0]), r[1], r[2], r[3]) for r in rows]

    def find(self, name: str) -> User | None:
        if not self.available:
            return None
        rows = self._run(
            "SELECT id, name, role, created_at FROM users WHERE name_key = {p}", (name_key(name),)
        )
        return User(int(rows[0][0]), rows[0][1], rows[0][2], rows[0][3]) if rows else None

    def _must_find(self, name: str) -> User:
        found = self.find(name)
        if found is None:
            raise AccountError(f"no account named {name!r}; `ficarchive users list` shows them")
        return found

    # -- changing them --------------------------------------------------------------
    def add(self, name: str, password: str, role: str = "reader") -> User:
        """A new account; the first one must be the owner's."""
        self._need_tables()
        kept = check_name(name)
        if role not in ROLES:
            raise AccountError(f"no role {role!r}; roles are {', '.join(ROLES)}")
        check_password(password)
        if role != "owner" and not self.active():
            raise AccountError(
                "make the owner's account first (`ficarchive users add NAME --role owner`): "
                "accounts start with an owner"
            )
        if self.find(kept) is not None:
            raise AccountError(f"there is already an account named {kept!r}")
        with self.archive._write():
            self._run(
                "INSERT INTO users(name, name_key, role, password_hash, kosync_hash, created_at) "
                "VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
                (
                    kept,
                    name_key(kept),
                    role,
                    _HASHER.hash(password),
                    _HASHER.hash(kosync_key(password)),
                    _stamp(_now()),
                ),
            )
        return self._must_find(kept)

    def set_role(self, name: str, role: str) -> User:
        user = self._must_find(name)
        if role not in ROLES:
            raise AccountError(f"no role {role!r}; roles are {', '.join(ROLES)}")
        if user.is_owner and role != "owner":
            self._keep_an_owner(user)
        with self.archive._write():
            self._run("UPDATE users SET role = {p} WHERE id = {p}", (role, user.id))
        return self._must_find(name)

    def set_password(self, name: str, password: str) -> None:
        """A new password; every session of the account ends."""
        user = self._must_find(name)
        check_password(password)
        with self.archive._write():
            self._run(
                "UPDATE users SET password_hash = {p}, kosync_hash = {p} WHERE id = {p}",
                (_HASHER.hash(password), _HASHER.hash(kosync_key(password)), user.id),
            )
            self._run("DELETE FROM sessions WHERE user_id = {p}", (user.id,))

    def remove(self, name: str) -> None:
        """The account goes, with its sessions, progress, bookmarks and collections."""
        user = self._must_find(name)
        if user.is_owner:
            self._keep_an_owner(user)
        with self.archive._write():
            for table in ("sessions", "progress", "bookmarks", "kosync_progress"):
                self._run(f"DELETE FROM {table} WHERE user_id = {{p}}", (user.id,))
            self._run("DELETE FROM collections WHERE user_id = {p}", (user.id,))
            self._run("DELETE FROM users WHERE id = {p}", (user.id,))

    def _keep_an_owner(self, user: User) -> None:
        others = self._run(
            "SELECT count(*) FROM users WHERE role = 'owner' AND id != {p}", (user.id,)
        )
        if not int(others[0][0]):
            raise AccountError(
                f"{user.name} is the only owner: make another owner first "
                "(`ficarchive users role NAME owner`)"
            )

    # -- signing in ---------------------------------------------------------------------
    def verify(self, name: str, password: str, *, kosync: bool = False) -> User | None:
        """The account, if `password` is its password (with `kosync`: the MD5 KOReader
        sends); None otherwise, in about the same time either way."""
        if not self.available or len(password) > MAX_PASSWORD:
            return None
        column = "kosync_hash" if kosync else "password_hash"
        rows = self._run(
            f"SELECT id, name, role, created_at, {column} FROM users WHERE name_key = {{p}}",
            (name_key(name),),
        )
        stored = rows[0][4] if rows and rows[0][4] else _DUMMY
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if not rows:
            return None
        user = User(int(rows[0][0]), rows[0][1], rows[0][2], rows[0][3])
        if not kosync and _HASHER.check_needs_rehash(stored):
            with self.archive._write():
                self._run(
                    "UPDATE users SET password_hash = {p} WHERE id = {p}",
                    (_HASHER.hash(password), user.id),
                )
        return user

    def failures(self, key: str) -> int:
        """Failed sign-ins for `key` (``name:…`` or ``address:…``) in the window."""
        if not self.available:
            return 0
        since = time.time() - FAILURE_WINDOW_S
        rows = self._run(
            "SELECT count(*) FROM signin_failures WHERE key = {p} AND at > {p}", (key, since)
        )
        return int(rows[0][0])

    def note_failure(self, *keys: str) -> None:
        now = time.time()
        with self.archive._write():
            self._run("DELETE FROM signin_failures WHERE at <= {p}", (now - FAILURE_WINDOW_S,))
            for key in keys:
                self._run("INSERT INTO signin_failures(key, at) VALUES ({p}, {p})", (key, now))

    def retry_after(self, key: str) -> int:
        """Seconds until the oldest failure of `key` in the window has left it."""
        rows = self._run(
            "SELECT min(at) FROM signin_failures WHERE key = {p} AND at > {p}",
            (key, time.time() - FAILURE_WINDOW_S),
        )
        oldest = rows[0][0] if rows and rows[0][0] is not None else time.time()
        return max(1, int(float(oldest) + FAILURE_WINDOW_S - time.time()) + 1)

    # -- sessions -----------------------------------------------------------------------
    def start_session(self, user: User) -> tuple[str, str]:
        """A new session: (its token for the cookie, its CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        with self.archive._write():
            self._run(
                "DELETE FROM sessions WHERE user_id = {p} AND expires_at < {p}",
                (user.id, _stamp(now)),
            )
            self._run(
                "INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at) "
                "VALUES ({p}, {p}, {p}, {p}, {p})",
                (
                    _token_hash(token),
                    user.id,
                    csrf,
                    _stamp(now),
                    _stamp(now + timedelta(days=SESSION_DAYS)),
                ),
            )
        return token, csrf

    def session(self, token: str) -> Session | None:
        """The signed-in session of a cookie's token; None when it is not (or no longer) one."""
        if not token or len(token) > 100 or not self.available:
            return None
        rows = self._run(
            "SELECT u.id, u.name, u.role, u.created_at, s.csrf FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.token_hash = {p} AND s.expires_at > {p}",
            (_token_hash(token), _stamp(_now())),
        )
        if not rows:
            return None
        r = rows[0]
        return Session(User(int(r[0]), r[1], r[2], r[3]), r[4])

    def end_session(self, token: str) -> None:
        with self.archive._write():
            self._run("DELETE FROM sessions WHERE token_hash = {p}", (_token_hash(token),))
