"""``ficarchive serve``: the web reader on uvicorn, read-only unless the owner sets a token."""

from __future__ import annotations

import click

from ficarchive.cli.archive import archive_option, reports_errors
from ficarchive.errors import ArchiveUnavailable

TOKEN_ENV = "FICARCHIVE_WRITE_TOKEN"


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
@reports_errors
def serve(location: str | None, host: str, port: int, write_token: str | None) -> None:
    """Open the reader in the browser: search, read and download the archive's works."""
    import uvicorn

    from ficarchive.web import create_app
    from ficarchive.web.checks import check_archive

    archive = check_archive(location, writable=bool(write_token))
    app = create_app(archive, write_token=write_token)
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
