"""The command line: a thin skin that parses, calls the library, and prints.

One module a command (or group of commands); each registers on `main` here. Library
errors become one line and a non-zero exit in the commands, and only there.
"""

from __future__ import annotations

import click

from ficarchive.cli.archive import COMMANDS as ARCHIVE_COMMANDS
from ficarchive.cli.bulk import bulk
from ficarchive.cli.check import check_command
from ficarchive.cli.export import export
from ficarchive.cli.rescue import rescue
from ficarchive.cli.review import review
from ficarchive.cli.search_index import search_index
from ficarchive.cli.serve import serve
from ficarchive.cli.tags import tags
from ficarchive.cli.users import users
from ficarchive.version import __version__


@click.group(
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 88,
        "terminal_width": 88,
    }
)
@click.version_option(__version__, prog_name="ficarchive")
def main() -> None:
    """ficarchive: rescue fan fiction as it is found on the old web."""


main.add_command(rescue)
main.add_command(export)
main.add_command(bulk)
main.add_command(serve)
main.add_command(check_command)
main.add_command(review)
main.add_command(search_index)
main.add_command(tags)
main.add_command(users)
for _command in ARCHIVE_COMMANDS:
    main.add_command(_command)

__all__ = ["main"]
