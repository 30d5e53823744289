"""The README against the code: settings, CLI options and HTTP routes (issue 18 item 6).

Fails when the README names a setting, a `jobmatch` option or a route the code does not have, or when the
code has a setting or a `/v1` route the README does not document.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps sub-commands in a private action list
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings}


def test_settings_table_is_the_code():
    from matcher.settings import Settings, settings_markdown

    table = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", README, re.S)
    assert table, "README lost its settings table (regenerate it with `python -m matcher.settings`)"
    assert table.group(1) == settings_markdown(), "README settings table is stale: paste `python -m matcher.settings`"
    named = set(re.findall(r"\bJOBMATCH_([A-Z0-9_]+)\b", README))
    unknown = {n for n in named if n.lower() not in Settings.model_fields}
    assert not unknown, f"README names settings the code does not have: {sorted(unknown)}"


def _readme_commands() -> list[str]:
    """Every `jobmatch ...` command the README shows, in code blocks or inline code, comments cut off."""
    found = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s#.*$", "", line.strip())
            found += [c.strip() for c in re.split(r"\|\s*(?=jobmatch )", line) if c.strip().startswith("jobmatch ")]
    for span in re.findall(r"`([^`\n]+)`", README):
        if span.startswith("jobmatch "):
            found.append(span)
    return found


def test_every_cli_option_in_the_readme_exists():
    from api.cli import build_parser

    root = build_parser()
    commands = _readme_commands()
    assert len(commands) > 20, "the README's command lines were not found"
    problems = []
    for cmd in commands:
        words = cmd.split()[1:]
        parser, path = root, ["jobmatch"]
        while words and words[0] in _subcommands(parser):
            parser = _subcommands(parser)[words[0]]
            path.append(words.pop(0))
        for opt in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", " ".join(words)):
            if opt not in _options(parser) and opt not in _options(root):
                problems.append(f"{' '.join(path)} {opt}  (in: {cmd})")
    assert not problems, "README shows options the CLI does not have:\n" + "\n".join(problems)


def test_every_cli_command_is_in_the_readme():
    from api.cli import build_parser

    shown = {" ".join(c.split()[:3]) for c in _readme_commands()} | {" ".join(c.split()[:2]) for c in _readme_commands()}
    missing = []
    for name, sub in _subcommands(build_parser()).items():
        inner = _subcommands(sub)
        names = [f"jobmatch {name} {s}" for s in inner] if inner else [f"jobmatch {name}"]
        missing += [n for n in names if n not in shown]
    assert not missing, f"CLI commands the README does not show: {missing}"


@pytest.fixture(scope="module")
def app_routes(tmp_path_factory):
    from api.app import create_app
    from matcher.settings import Settings

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("docs") / "data"))
    out = set()
    for r in app.routes:
        for m in getattr(r, "methods", None) or ():
            if m != "HEAD":
                out.add((m, re.sub(r"\{[^}]+\}", "{id}", r.path)))
    return out


def test_routes_in_the_readme_exist(app_routes):
    named = {(m, re.sub(r"\{[^}]+\}", "{id}", p)) for m, p in
             re.findall(r"`(GET|POST|DELETE|PUT|PATCH) (/[^`\s]*)`", README)}
    assert len(named) > 10
    unknown = named - app_routes
    assert not unknown, f"README names routes the API does not have: {sorted(unknown)}"


def test_every_v1_route_is_in_the_readme(app_routes):
    named = {(m, re.sub(r"\{[^}]+\}", "{id}", p)) for m, p in
             re.findall(r"`(GET|POST|DELETE|PUT|PATCH) (/[^`\s]*)`", README)}
    undocumented = {r for r in app_routes if r[1].startswith("/v1/")} - named
    assert not undocumented, f"API routes the README does not document: {sorted(undocumented)}"
