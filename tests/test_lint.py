"""Checked, not promised (issue 18 item 6): ruff (pyflakes, isort, bugbear, pyupgrade), the import-linter layers
contract `api -> matcher -> index`, and packaging that ships every sub-package. Configuration: pyproject.toml."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean():
    r = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert r.returncode == 0, f"ruff found problems (fix them, or `ruff check --fix .`):\n{r.stdout}{r.stderr}"


def test_layers_contract_is_kept():
    r = _run(str(BIN / "lint-imports"), "--no-cache")
    assert r.returncode == 0, f"an import runs against the layers api -> matcher -> index:\n{r.stdout}{r.stderr}"
    assert "1 kept, 0 broken" in r.stdout


def test_every_package_is_installed():
    """A sub-package missing from the setuptools configuration would work in this editable checkout and be
    missing from a wheel."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [".".join(p.parent.relative_to(ROOT).parts) for top in ("api", "matcher", "index")
                for p in (ROOT / top).rglob("__init__.py")]
    assert len(packages) >= 6
    missing = [p for p in packages if not any(fnmatch(p, pat) for pat in include)]
    assert not missing, f"packages not installed by pyproject.toml: {missing}"
