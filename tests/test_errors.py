"""One error vocabulary: every error class has a stable code and an HTTP status, the README lists each one
with that status, every surface shows the same ``error_payload``, and ``index`` imports nothing above it."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from matcher.errors import (
    CorruptDocument,
    DuplicateId,
    FileTooLarge,
    IndexCorrupt,
    InvalidRequest,
    JobmatchError,
    ParseTimeout,
    error_code,
    error_payload,
    error_status,
)

ROOT = Path(__file__).resolve().parents[1]


def _all_error_classes() -> list[type[JobmatchError]]:
    import api
    import index
    import matcher

    for pkg in (index, matcher, api):  # import every module, so every error class is defined
        for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            importlib.import_module(m.name)
    seen: list[type[JobmatchError]] = [JobmatchError]
    for c in seen:
        seen += [s for s in c.__subclasses__() if s not in seen]
    return [c for c in seen[1:] if "<locals>" not in c.__qualname__]  # not the class a test defines


def _readme_codes() -> dict[str, int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Error codes", 1)[1]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| `([a-z0-9_]+)` \| (\d{3}) \|", section, re.M)}


def test_every_error_class_has_a_code_and_the_documented_status():
    classes = _all_error_classes()
    assert len(classes) >= 25
    documented = _readme_codes()
    for c in classes:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", c.code), c
        assert 400 <= c.status_code < 600, c
        assert documented.get(c.code) == c.status_code, (
            f"{c.__module__}.{c.__name__}: code {c.code!r} with status {c.status_code} is not in the README's "
            "'Error codes' table (add a row)")
    by_code: dict[str, type] = {}
    for c in classes:
        assert by_code.setdefault(c.code, c) is c, f"{c.__name__} and {by_code[c.code].__name__} share {c.code!r}"
    assert documented["internal"] == 500  # what a non-project exception becomes


def test_codes_are_stable():
    """Documented codes: changing one breaks users (the web page and API clients switch on them)."""
    assert [c.code for c in (FileTooLarge, ParseTimeout, CorruptDocument, InvalidRequest, DuplicateId, IndexCorrupt)] \
        == ["file_too_large", "parse_timeout", "corrupt_document", "invalid_request", "duplicate_id", "index_corrupt"]


def test_error_payload_is_code_and_message():
    assert error_payload(FileTooLarge("The file is 12.0 MB")) == {"code": "file_too_large", "message": "The file is 12.0 MB"}
    assert error_status(FileTooLarge("x")) == 413 and error_code(FileTooLarge("x")) == "file_too_large"
    assert error_payload(KeyError("k")) == {"code": "internal", "message": "KeyError: 'k'"}
    assert error_status(KeyError("k")) == 500


@pytest.mark.parametrize("path", sorted((ROOT / "index").glob("*.py")), ids=lambda p: p.name)
def test_index_imports_nothing_from_matcher_or_api(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        for n in names:
            assert n.split(".")[0] not in ("matcher", "api"), f"{path.name} imports {n}"


def test_cli_json_error_is_the_api_payload(capsys):
    import json

    from api.cli import report

    report(FileTooLarge("The file is\n  12.0 MB."), as_json=True)
    assert json.loads(capsys.readouterr().err) == {"error": {"code": "file_too_large", "message": "The file is 12.0 MB."}}


def test_a_class_without_its_own_code_is_refused():
    from index.errors import JobmatchError

    with pytest.raises(TypeError, match="must set its own `code`"):
        type("Unnamed", (JobmatchError,), {})
