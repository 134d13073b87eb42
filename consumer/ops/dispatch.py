"""A tiny subcommand dispatcher over pydantic-settings classes (shared by both CLIs)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NamedTuple

from consumer.ops.logs import configure_logging, get_logger
from consumer.ops.settings import ENV_NOTE


class Command(NamedTuple):
    settings: type
    run: Callable
    help: str
    log_to_stdout: bool = False  # a service's log is its output; a tool's stdout is for its results


def usage(prog: str, commands: dict[str, Command]) -> str:
    width = max((len(name) for name in commands), default=0)
    lines = [f"usage: {prog} COMMAND [--help] [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {command.help}" for name, command in commands.items()]
    return "\n".join([*lines, "", ENV_NOTE])


def dispatch(prog: str, commands: dict[str, Command], argv: list[str] | None = None) -> None:
    """Run the command; a reader that closed the pipe (`copydesk serve --help | head`) ends it quietly."""
    try:
        _dispatch(prog, commands, argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python's own recipe: point stdout at devnull so the interpreter's final flush can't raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


def _dispatch(prog: str, commands: dict[str, Command], argv: list[str] | None = None) -> None:
    """Match the longest command name ('model prepare' before 'model'), parse, configure logs, run."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for words in (2, 1):
        name = " ".join(argv[:words])
        if len(argv) >= words and name in commands:
            command = commands[name]
            try:
                settings = command.settings(_cli_parse_args=argv[words:], _cli_prog_name=f"{prog} {name}")
            except SystemExit as exit_:
                if {"-h", "--help"} & set(argv[words:]):
                    print(f"\n{ENV_NOTE}")
                raise exit_
            configure_logging(settings.log_level, sys.stdout if command.log_to_stdout else sys.stderr)
            get_logger(prog).debug("command", command=name, settings=settings.model_dump(mode="json"))
            result = command.run(settings)
            if isinstance(result, int) and result:
                sys.exit(result)
            return
    asked_for_help = not argv or argv[0] in ("-h", "--help")
    print(usage(prog, commands), file=sys.stdout if asked_for_help else sys.stderr)
    if not asked_for_help:
        print(f"\n{prog}: unknown command {' '.join(argv[:2])!r}", file=sys.stderr)
    sys.exit(0 if asked_for_help else 2)
