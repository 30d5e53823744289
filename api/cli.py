"""``jobmatch`` command line. Each sub-command lives in an ``api/cmd_*.py`` module exposing
``register(subparsers)``; commands are thin wrappers over library functions."""
from __future__ import annotations

import argparse
import importlib
import sys

from matcher.errors import JobmatchError

# one entry per command module; each module's register() adds its sub-commands
COMMANDS: list[str] = ["cmd_ingest", "cmd_parse", "cmd_match", "cmd_batch"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobmatch", description="Candidate-job matching recommender")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"api.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except JobmatchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
