"""``jobmatch`` command line. Each sub-command lives in an ``api/cmd_*.py`` module exposing
``register(subparsers)``; commands are thin wrappers over library functions.

Exit codes: 0 success; 1 the command ran and failed (not found, refused input, ``ingest --strict`` with
rejections, an incomplete batch); 2 usage (argparse: unknown flag, bad flag value); 130 interrupted.
Errors go to stderr as one sentence, or as ``{"error": {"code", "message"}}`` with ``--json`` (the codes of the
HTTP API: :func:`matcher.errors.error_payload`).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys

from matcher.errors import JobmatchError, error_payload

# one entry per command module; each module's register() adds its sub-commands
COMMANDS: list[str] = ["cmd_ingest", "cmd_parse", "cmd_match", "cmd_batch", "cmd_candidates", "cmd_match_job"]
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("jobmatch")
    except PackageNotFoundError:
        return "0.1.0"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobmatch", description="Candidate-job matching recommender",
                                     epilog="exit codes: 0 success, 1 failure, 2 usage error")
    parser.add_argument("--version", action="version", version=f"jobmatch {version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"api.{name}").register(sub)
    return parser


def report(e: JobmatchError, *, as_json: bool) -> None:
    """One error on stderr: a sentence, or the JSON error shape of the API."""
    message = " ".join(str(e).split()) or type(e).__name__
    if as_json:
        payload = {**error_payload(e), "message": message}  # the API's {code, message}, on one line
        print(json.dumps({"error": payload}, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"jobmatch: error: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except JobmatchError as e:
        report(e, as_json=bool(getattr(args, "json", False)))
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("jobmatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
