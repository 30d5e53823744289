"""Options and helpers shared by every CLI command."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from matcher.settings import Settings


def add_common(p: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    p.add_argument("--data-dir", type=Path, default=None,
                   help="store + index directory (default ./jobmatch-data, or $JOBMATCH_DATA_DIR)")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print JSON instead of text")


def settings_from(args: argparse.Namespace) -> Settings:
    s = Settings()
    if getattr(args, "data_dir", None):
        s = s.model_copy(update={"data_dir": Path(args.data_dir)})
    return s


def print_json(obj: Any) -> None:
    if hasattr(obj, "model_dump_json"):
        sys.stdout.write(obj.model_dump_json(indent=2) + "\n")
    else:
        json.dump(obj, sys.stdout, indent=2, default=str, ensure_ascii=False)
        sys.stdout.write("\n")


STDIN = "-"


def read_input(path: str | Path, limit: int) -> tuple[bytes, str]:
    """The bytes of ``path``, or of stdin when it is ``-`` (at most ``limit`` bytes: more is refused), and the
    file name to report (``stdin``: the type is then decided from the content)."""
    from matcher.errors import FileTooLarge, NotFound

    if str(path) == STDIN:
        data = sys.stdin.buffer.read(limit + 1)
        name = "stdin"
    else:
        p = Path(path)
        if not p.is_file():
            raise NotFound(f"no such file: {p}; check the path, or pass - to read stdin")
        size = p.stat().st_size
        if size > limit:
            raise FileTooLarge(f"{p} is {size:,} bytes; the limit is {limit:,} (JOBMATCH_MAX_UPLOAD_BYTES)")
        data, name = p.read_bytes(), p.name
    if len(data) > limit:
        raise FileTooLarge(f"{name} is more than {limit:,} bytes; the limit is {limit:,} (JOBMATCH_MAX_UPLOAD_BYTES)")
    return data, name


def add_model_flags(p: argparse.ArgumentParser, model, *, skip: tuple[str, ...] = ()) -> None:
    """A flag per field of a pydantic ``model`` (``--name-with-dashes``), help from its description, choices
    from its enum; an optional boolean is ``--name/--no-name``."""
    import types
    import typing

    for name, field in model.model_fields.items():
        if name in skip:
            continue
        ann = field.annotation
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        base = args[0] if typing.get_origin(ann) in (typing.Union, types.UnionType) else ann
        flag = "--" + name.replace("_", "-")
        helptext = (field.description or "").replace("%", "%%")
        if base is bool:
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=helptext)
        elif typing.get_origin(base) is typing.Literal:
            p.add_argument(flag, choices=typing.get_args(base), default=None, help=helptext)
        else:
            p.add_argument(flag, type=base if base in (int, float) else str, default=None, help=helptext)


def filter_lines(rules, width: int) -> list[str]:
    """The filter report as text lines, one per rule (forward and reverse reports share the rule shape)."""
    lines = []
    for r in rules:
        if r.status == "applied":
            unknown = f", {r.unknown} passed as unknown" if r.unknown else ""
            lines.append(f"  {r.rule:<{width}} applied, removed {r.removed}{unknown}")
        else:
            lines.append(f"  {r.rule:<{width}} skipped: {r.reason}")
    return lines


def run_until_killed(call):
    """``call()`` with SIGTERM turned into KeyboardInterrupt, so a kill stops a batch like Ctrl-C does: the lines
    written so far stay and the summary is written (the previous handler is restored afterwards)."""
    import signal

    def _term(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, _term)
    try:
        return call()
    finally:
        signal.signal(signal.SIGTERM, old)
