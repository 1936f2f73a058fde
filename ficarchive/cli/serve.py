"""``ficarchive serve``: the web reader on uvicorn, read-only unless the owner sets a token."""

from __future__ import annotations

import click

from ficarchive.archive import SQLiteArchive
from ficarchive.cli.archive import archive_option, reports_errors
from ficarchive.errors import ArchiveUnavailable

TOKEN_ENV = "FICARCHIVE_WRITE_TOKEN"


def _check_hosts(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    from ficarchive.web.guard import AllowedHosts

    try:
        AllowedHosts.of(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.command()
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--write-token",
    envvar=TOKEN_ENV,
    metavar="TOKEN",
    help=f"Allow edits through the web to whoever gives this token (default: ${TOKEN_ENV}; "
    "without it the reader is read-only).",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    callback=_check_hosts,
    help="Also answer requests that name this host (NAME, or NAME:PORT for one port; "
    "repeatable). Without it, only the address listened on (and localhost on loopback).",
)
@reports_errors
def serve(
    location: str | None,
    host: str,
    port: int,
    write_token: str | None,
    allow_hosts: tuple[str, ...],
) -> None:
    """Open the reader in the browser: search, read and download the archive's works."""
    import uvicorn

    from ficarchive.web import create_app
    from ficarchive.web.checks import check_archive

    archive = check_archive(location, writable=bool(write_token))
    if isinstance(archive, SQLiteArchive):  # the works changed since it was last written
        try:
            archive.sync_search_index(remake=False)
        except ArchiveUnavailable as exc:
            click.echo(f"note: {exc}", err=True)
    app = create_app(archive, write_token=write_token, allow_hosts=allow_hosts)
    mode = "edits allowed with the write token" if write_token else "read-only"
    click.echo(
        f"ficarchive reader on http://{host}:{port}/ ({archive.count()} works, {mode}); "
        "Ctrl+C stops it",
        err=True,
    )
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise ArchiveUnavailable(f"cannot listen on {host}:{port} ({exc.strerror})") from None
