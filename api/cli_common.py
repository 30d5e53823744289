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
