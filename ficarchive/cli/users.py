"""``ficarchive users``: the accounts of a shared archive (owner, archivist, reader).

An archive starts with none, and the reader works for one person with no sign-in. The
first account is the owner's (``ficarchive users add NAME --role owner``); from then on
the reader has a sign-in page and each account keeps its own progress, bookmarks and
collections. Passwords are asked for twice at the terminal (never on the command line,
where other users of the machine could read them), or read from stdin with
``--password-stdin`` for scripts.
"""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from ficarchive.archive.accounts import ROLES, Accounts
from ficarchive.cli.archive import archive_option, open_archive, reports_errors


@click.group()
def users() -> None:
    """Accounts for a shared archive: owner, archivist (edit, wrangle), reader."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return password


password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)


@users.command("add")
@click.argument("name")
@archive_option
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="reader",
    show_default=True,
    help="owner: everything, and the accounts; archivist: edit and wrangle; reader: read, "
    "bookmark, collect.",
)
@password_stdin
@reports_errors
def add_user(name: str, location: str | None, role: str, password_stdin: bool) -> None:
    """Make an account; the first one must be the owner's."""
    accounts = Accounts(open_archive(location, create=True, check=True))
    user = accounts.add(name, _password(password_stdin), role)
    Console(stderr=True).print(f"made the {user.role} account {user.name}", highlight=False)


@users.command("list")
@archive_option
@reports_errors
def list_users(location: str | None) -> None:
    """The accounts, with their roles."""
    found = Accounts(open_archive(location)).list()
    if not found:
        Console(stderr=True).print(
            "no accounts: the reader is for one person (make the owner's with "
            "`ficarchive users add NAME --role owner`)"
        )
        return
    table = Table("name", "role", "made")
    for user in found:
        table.add_row(user.name, user.role, user.created_at[:10])
    Console().print(table)


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@archive_option
@reports_errors
def set_role(name: str, role: str, location: str | None) -> None:
    """Give an account another role (an archive always keeps one owner)."""
    user = Accounts(open_archive(location, check=True)).set_role(name, role)
    Console(stderr=True).print(f"{user.name} is now {user.role}", highlight=False)


@users.command("password")
@click.argument("name")
@archive_option
@password_stdin
@reports_errors
def set_password(name: str, location: str | None, password_stdin: bool) -> None:
    """Set an account's password; it is signed out everywhere."""
    Accounts(open_archive(location, check=True)).set_password(name, _password(password_stdin))
    Console(stderr=True).print(f"new password set for {name}; signed out everywhere")


@users.command("remove")
@click.argument("name")
@archive_option
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@reports_errors
def remove_user(name: str, location: str | None, yes: bool) -> None:
    """Remove an account, with its progress, bookmarks and collections (asks first)."""
    accounts = Accounts(open_archive(location, check=True))
    question = f"Remove the account {name}, with its bookmarks and collections?"
    if not yes and not click.confirm(question, err=True):
        Console(stderr=True).print("nothing removed")
        sys.exit(1)
    accounts.remove(name)
    Console(stderr=True).print(f"removed the account {name}", highlight=False)
