"""`copydesk-trainer`: the learning side's command line (fit, eval, replay-train)."""

from __future__ import annotations

import os

from consumer.commands import Command, dispatch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

COMMANDS: dict[str, Command] = {}


def main(argv: list[str] | None = None) -> None:
    dispatch("copydesk-trainer", COMMANDS, argv)


if __name__ == "__main__":
    main()
