"""The :class:`Embedder`: a sentence-transformers model with windowing, batching, pooling and a backend.

Build it once, explicitly (nothing is loaded at import time)::

    emb = Embedder(settings.model, threads=settings.torch_threads, cache_dir=settings.model_cache_dir)
    doc_vecs = emb.embed_documents(texts, max_windows=settings.doc_windows)   # (n, dim) float32
    q = emb.embed_query(resume_text, max_windows=settings.query_windows)      # (dim,)

Windows of all texts are sorted by length and batched (``embed_documents``), so padding is minimal, at most
``max_batch_tokens`` padded tokens per forward pass (512: on a CPU a small batch costs less per window, see
:data:`MAX_BATCH_TOKENS`), then mapped back to their text and pooled (:mod:`matcher.embed.windows`).

Pooling (``pooling="mean"``, the default)
    A text's vector is the mean of its window embeddings, renormalised to unit length, so every part of the
    posting (requirements, stack, duties, not only the title window) can be found. ``"first"`` (first window
    only) and ``"weighted"`` (first window counts double) exist for comparison. How much it matters,
    measured by ``benchmarks/bench_embed.py`` on 600 de-duplicated real postings (up to 4 windows each)
    searched by 100 livecareer resumes (2 windows): against mean pooling, first-window-only keeps only 0.35
    of the top-10 (posting cosine 0.83), first-weighted 0.80 (cosine 0.99).

Empty text
    ``""`` (or whitespace) embeds as the model's embedding of the empty string: a valid unit vector, so rows
    stay aligned with their inputs. It carries no meaning; filter empty texts upstream if they matter.

Backends
    ``"torch"`` (this class's default), ``"onnx"`` (fp32 onnxruntime; the same vectors: cosine 1.0000 and
    top-10 agreement 1.000 with torch on 1,000 real postings, and 1.5x torch's windows/s on this machine, so
    the service's default, ``Settings.embed_backend``) and ``"onnx-int8"`` (selected MatMuls int8; faster
    still, but top-10 agreement with fp32 below 0.95, so opt-in only); see :mod:`matcher.embed.backend`,
    :mod:`matcher.embed.onnx_backend` and ``benchmarks/bench_embed.py``. Threads: :mod:`matcher.embed.threads`.
"""
from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelUnavailable
from .backend import BACKENDS, VECTORS, Backend, ModelSpec
from .model_files import BUNDLED, default_cache_dir, resolve_model
from .threads import resolve_threads
from .windows import POOLINGS, WINDOW_OVERLAP, pad_windows, pool_windows, split_windows

# Padded tokens (rows x width) per forward pass. Small batches are cheaper per window on a CPU: measured
# 2026-12-01 (onnx fp32, 1 thread, CPU time per window over real texts): title + head-of-description windows
# (~172 word pieces) 21-22 ms at 1-2 rows, 25 at 8, 31 at 32, 34-38 at 64; resume windows (256) 33-35 ms at 1,
# 40-43 at 16-64; titles (~8) 2.4 ms alone, 1.0 at 8-16 rows, 1.5 at 64 (a call costs ~1.4 ms on its own).
# The working set of a batch (attention scores, feed-forward activations) must stay in the core's cache.
MAX_BATCH_TOKENS = 512
_SINGLE_LOCK = threading.Lock()  # making an Embedder's 1-thread session (once)
# Head tokenisation (Embedder._encode_head): a text of which only the first windows are read is tokenised up to
# the first plain space or newline after this many characters per token needed (then whole if that was short).
HEAD_CHARS_PER_TOKEN = 8
_WORD_BREAK = re.compile(r"[ \n]")


def make_backend(name: str, spec: ModelSpec) -> Backend:
    """The backend called ``name`` (one of :data:`~matcher.embed.backend.BACKENDS`) for the model ``spec``."""
    if name == "torch":
        from .torch_backend import TorchBackend

        return TorchBackend(spec)
    if name in ("onnx", "onnx-int8"):
        from .onnx_backend import OnnxBackend

        return OnnxBackend.for_model(spec, quantized=(name == "onnx-int8"))
    raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")


class Embedder:
    """A sentence-transformers model with windowing, length-sorted batching and pooling."""

    def __init__(self, model: str = BUNDLED, *, threads: int = 0, backend: str = "torch",
                 cache_dir: str | os.PathLike | None = None, pooling: str = "mean",
                 overlap: int = WINDOW_OVERLAP, max_batch_tokens: int = MAX_BATCH_TOKENS) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        if max_batch_tokens < 1:
            raise ValueError(f"max_batch_tokens must be >= 1, got {max_batch_tokens}")
        import torch
        from sentence_transformers import SentenceTransformer

        try:  # the "Loading weights" bar of transformers is noise on every CLI run and in server logs
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass

        self.threads = resolve_threads(threads, backend)
        torch.set_num_threads(self.threads)
        self.path, self.model_id, self.checksum = resolve_model(model, cache_dir)
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        try:
            self.model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001
            raise ModelUnavailable(f"Could not load the model at {self.path}: {type(e).__name__}: {e}") from e
        self.model.eval()
        self.backend = backend
        self.vectors = VECTORS[backend]  # what an index built with this embedder records and checks
        self.pooling = pooling
        self.max_batch_tokens = int(max_batch_tokens)
        self.dim = int(self.model.get_embedding_dimension())
        self.max_seq_length = int(self.model.max_seq_length)
        self._tok = self.model.tokenizer
        self._tok_lock = threading.Lock()
        self._input_names = tuple(getattr(self._tok, "model_input_names", ["input_ids", "attention_mask"]))
        self._prefix, self._suffix = self._special_tokens()
        backend_tok = getattr(self._tok, "backend_tokenizer", None)
        # WordPiece after BERT's normaliser and pre-tokeniser reads every word on its own (char-wise normalising,
        # split at spaces and punctuation): a text cut at a space gives the whole text's first tokens and offsets
        self._word_local = backend_tok is not None and (
            type(backend_tok.normalizer).__name__, type(backend_tok.pre_tokenizer).__name__,
            type(backend_tok.model).__name__) == ("BertNormalizer", "BertPreTokenizer", "WordPiece")
        self._pad_id = self._tok.pad_token_id if self._tok.pad_token_id is not None else 0
        self.body_tokens = self.max_seq_length - len(self._prefix) - len(self._suffix)
        if self.body_tokens < 8:
            raise ModelUnavailable(f"max_seq_length {self.max_seq_length} is too small to window texts.")
        self.overlap = max(0, min(overlap, self.body_tokens // 2))
        names = tuple(n for n in ("input_ids", "attention_mask", "token_type_ids")
                      if n in self._input_names or n != "token_type_ids")
        sample = self._arrays([self._prefix + [self._pad_id + 1000] * 16 + self._suffix] * 2)
        self._backend = make_backend(backend, ModelSpec(
            module=self.model, model_id=self.model_id, checksum=self.checksum, dim=self.dim, input_names=names,
            sample=sample, cache_dir=self.cache_dir, threads=self.threads))
        # Threads by load (onnxruntime with more than 1 thread): a forward pass that runs alone uses the
        # ``threads``-thread session (the sooner answer), one that starts while another is running uses a
        # 1-thread session of the same graph (the least CPU per window, and no more threads than cores when
        # requests run side by side). The two give the same bits (tested), so the choice never shows.
        self.adaptive = self.threads > 1 and hasattr(self._backend, "with_threads")
        self._single: Backend | None = None
        self._in_flight = 0
        self._competing = 0  # other CPU work under way beside the passes (see competing())
        self._flight_lock = threading.Lock()
        self.passes = {"alone": 0, "side_by_side": 0}  # forward passes by session (adaptive only)

    def index_identity(self) -> dict:
        """The keywords :meth:`index.JobIndex.create` and :meth:`~index.JobIndex.open` take to record and check
        that an index's vectors come from this model, copy and arithmetic."""
        return {"model_id": self.model_id, "model_checksum": self.checksum, "dim": self.dim, "vectors": self.vectors}

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

    def _encode(self, texts: Sequence[str], offsets: bool = False) -> dict:
        """The tokenizer's ids (and with ``offsets`` each token's character span) of every text, no special tokens."""
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"texts must be str, got {type(t).__name__}")
        if not texts:
            return {"input_ids": [], "offset_mapping": []}
        with self._tok_lock:  # a fast tokenizer is not safe to call from two threads at once ("Already borrowed")
            return self._tok(list(texts), add_special_tokens=False, truncation=False, verbose=False,
                             return_attention_mask=False, return_token_type_ids=False,
                             return_offsets_mapping=offsets)

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return self._encode(texts)["input_ids"]

    def _encode_head(self, texts: Sequence[str], max_windows: int | None, offsets: bool = False) -> dict:
        """:meth:`_encode` for a caller that keeps each text's first ``max_windows`` windows: a long text is
        tokenised only up to a word break after enough characters for them (:data:`HEAD_CHARS_PER_TOKEN` per
        token), whole when the head gave too few tokens. The kept windows are those of the whole text: their
        ``starts`` (:func:`~matcher.embed.windows.split_windows`) do not depend on the tokens past the ``need``-th,
        and a word-local tokenizer (:attr:`_word_local`; otherwise every text is tokenised whole) gives a head
        cut at a space the whole text's first tokens and offsets (tested over the shared resumes)."""
        if not max_windows or not self._word_local:
            return self._encode(texts, offsets)
        need = self.body_tokens + (max(1, max_windows) - 1) * max(1, self.body_tokens - self.overlap) + 1
        at = need * HEAD_CHARS_PER_TOKEN
        heads = []
        for t in texts:
            m = _WORD_BREAK.search(t, at) if isinstance(t, str) and len(t) > at else None
            heads.append(t[:m.start()] if m else t)
        enc = self._encode(heads, offsets)
        short = [i for i, (h, t) in enumerate(zip(heads, texts, strict=True))
                 if len(h) < len(t) and len(enc["input_ids"][i]) < need]
        if short:
            whole = self._encode([texts[i] for i in short], offsets)
            for k, i in enumerate(short):
                enc["input_ids"][i] = whole["input_ids"][k]
                if offsets:
                    enc["offset_mapping"][i] = whole["offset_mapping"][k]
        return enc

    def _windows(self, texts: Sequence[str], max_windows: int | None,
                 token_ids: Sequence[Sequence[int]] | None = None) -> tuple[list[list[int]], np.ndarray]:
        """Every text's model windows (special tokens added) and the text each belongs to; ``token_ids``: the
        texts' ids when the caller has already tokenised them."""
        windows: list[list[int]] = []
        owners: list[int] = []
        if token_ids is None:
            token_ids = self._encode_head(texts, max_windows)["input_ids"]
        for i, ids in enumerate(token_ids):
            for w in split_windows(ids, self.body_tokens, self.overlap, max_windows):
                windows.append(self._prefix + list(w) + self._suffix)
                owners.append(i)
        return windows, np.asarray(owners, dtype=np.int64)

    def _arrays(self, windows: list[list[int]], width: int | None = None) -> dict[str, np.ndarray]:
        return pad_windows(windows, self._pad_id, width=width, token_type_ids="token_type_ids" in self._input_names)

    def count_windows(self, texts: Sequence[str], *, max_windows: int | None = None) -> list[int]:
        """Number of model windows each text becomes (after ``max_windows``)."""
        _, owners = self._windows(texts, max_windows)
        return np.bincount(owners, minlength=len(texts)).tolist() if len(texts) else []

    # -- forward passes
    def forward(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """The backend's ``(batch, dim)`` unit vectors of padded windows (:meth:`Backend.forward`); with
        :attr:`adaptive`, on the 1-thread session when another forward pass is already running."""
        return self._pass(arrays, tokens=False)

    def forward_tokens(self, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`forward`'s vectors and the token vectors they were pooled from (:meth:`Backend.forward_tokens`)."""
        return self._pass(arrays, tokens=True)

    @contextlib.contextmanager
    def competing(self) -> Iterator[None]:
        """Mark CPU work of the caller's that runs beside forward passes (a server request parsing or ranking, a
        batch's parse workers or searches): while any is marked, a pass runs on the 1-thread session as if
        another pass were running, since the second core is taken. Only the session changes, never the bits."""
        with self._flight_lock:
            self._competing += 1
        try:
            yield
        finally:
            with self._flight_lock:
                self._competing -= 1

    def _pass(self, arrays: dict[str, np.ndarray], *, tokens: bool) -> Any:
        if not self.adaptive:
            backend = self._backend
            return backend.forward_tokens(arrays) if tokens else backend.forward(arrays)
        with self._flight_lock:
            alone = self._in_flight == 0 and self._competing == 0
            self._in_flight += 1
            self.passes["alone" if alone else "side_by_side"] += 1
        try:
            backend = self._backend if alone else self.single_thread_backend()
            return backend.forward_tokens(arrays) if tokens else backend.forward(arrays)
        finally:
            with self._flight_lock:
                self._in_flight -= 1

    def single_thread_backend(self) -> Backend:
        """The 1-thread session used side by side (made on first use: ~0.3 s, about 90 MB)."""
        if self._single is None:
            with _SINGLE_LOCK:
                if self._single is None:
                    self._single = self._backend.with_threads(1)  # type: ignore[attr-defined]
        return self._single

    def _rows_per_batch(self, width: int, batch_size: int) -> int:
        """Rows of padded ``width`` in one forward pass: at most ``batch_size`` and :attr:`max_batch_tokens`."""
        return max(1, min(max(1, batch_size), self.max_batch_tokens // max(1, width)))

    def embed_windows(self, texts: Sequence[str], *, max_windows: int | None = None, batch_size: int = 64,
                      progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Unit embeddings of every window, in text order, and the text index of each window.

        Windows are sorted by length (longest first) and cut into batches of at most ``batch_size`` rows and
        :attr:`max_batch_tokens` padded tokens, so the batches depend only on ``texts``."""
        windows, owners = self._windows(texts, max_windows)
        out = np.zeros((len(windows), self.dim), dtype=np.float32)
        if not windows:
            return out, owners
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]), reverse=True)
        batches: list[list[int]] = []
        s = 0
        while s < len(order):  # longest first: a batch's padded width is its first window's length
            n = self._rows_per_batch(len(windows[order[s]]), batch_size)
            batches.append(order[s : s + n])
            s += n
        bar: Any = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(windows), unit="win", desc="embedding")
        for idx in batches:
            out[idx] = self.forward(self._arrays([windows[i] for i in idx]))
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
        ``jobmatch match`` gives). A backend's rows do not depend on the other rows (the
        :class:`~matcher.embed.backend.Backend` contract), but they do on the padded width: a mixed batch of
        ``embed_documents`` changes a vector in the 7th decimal, which can flip a rounded score. So a text's
        windows are padded to its own longest window (as when it is alone) and batched with windows of texts
        of the same width. :meth:`embed_query` is this with one text.
        """
        return self._queries(texts, max_windows, batch_size, None)[0]

    def embed_queries_with_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *,
                                 max_windows: int | None = None, batch_size: int = 64
                                 ) -> tuple[np.ndarray, list[np.ndarray]]:
        """:meth:`embed_queries` of ``texts`` (the same bits) and, from the same forward passes, a vector per
        character span ``(start, end)`` of each text: the mean of the token vectors of the text's first window
        that lie inside the span, at unit length — the span read in the context of its text, at no extra pass
        (a short line embedded alone costs a pass of its own). A span with no token in the first window gets a
        row of NaN. A text's span vectors do not depend on the other texts of the call (as its vector)."""
        if len(spans) != len(texts):
            raise ValueError(f"one list of spans per text: {len(spans)} for {len(texts)} texts")
        return self._queries(texts, max_windows, batch_size, spans)

    def embed_query_with_spans(self, text: str, spans: Sequence[tuple[int, int]], *,
                               max_windows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`embed_queries_with_spans` of one text: ``(dim,)`` and ``(len(spans), dim)``."""
        q, s = self.embed_queries_with_spans([text], [spans], max_windows=max_windows)
        return q[0], s[0]

    def _queries(self, texts: Sequence[str], max_windows: int | None, batch_size: int,
                 spans: Sequence[Sequence[tuple[int, int]]] | None) -> tuple[np.ndarray, list[np.ndarray]]:
        if not texts:
            return np.zeros((0, self.dim), np.float32), []
        members = None
        if spans is None:
            windows, owners = self._windows(list(texts), max_windows)
        else:  # tokenised once: the ids make the windows, the offsets place the spans
            enc = self._encode_head(texts, max_windows, offsets=True)
            windows, owners = self._windows(texts, max_windows, enc["input_ids"])
            members = self._span_members(enc["offset_mapping"], spans)
        width = np.zeros(len(texts), np.int64)
        for w, o in zip(windows, owners, strict=False):
            width[o] = max(width[o], len(w))
        first = np.ones(len(owners), bool)
        first[1:] = owners[1:] != owners[:-1]  # a text's windows are consecutive, its first window first
        span_vecs = [np.full((len(s), self.dim), np.nan, np.float32) for s in spans] if spans is not None else []
        out = np.zeros((len(windows), self.dim), np.float32)
        by_width: dict[int, list[int]] = {}
        for i, o in enumerate(owners):
            by_width.setdefault(int(width[o]), []).append(i)
        for wd, idx in by_width.items():
            rows = self._rows_per_batch(wd, batch_size)
            for a in range(0, len(idx), rows):
                chunk = idx[a:a + rows]
                arrays = self._arrays([windows[i] for i in chunk], width=wd)
                if members is None or not any(first[i] and members[owners[i]] for i in chunk):
                    out[chunk] = self.forward(arrays)
                    continue
                out[chunk], tokens = self.forward_tokens(arrays)
                for r, i in enumerate(chunk):
                    if first[i]:
                        for k, pos in members[owners[i]]:
                            v = tokens[r, pos].sum(axis=0, dtype=np.float32) / np.float32(len(pos))
                            span_vecs[owners[i]][k] = v / max(float(np.linalg.norm(v)), 1e-12)
        out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return pool_windows(out, owners, len(texts), self.pooling), span_vecs

    def _span_members(self, offsets: Sequence[Sequence[tuple[int, int]]], spans: Sequence[Sequence[tuple[int, int]]]
                      ) -> list[list[tuple[int, np.ndarray]]]:
        """Per text (its tokens' character ``offsets``): (span number, positions in its first padded window of the
        tokens inside the span)."""
        lead = len(self._prefix)
        res: list[list[tuple[int, np.ndarray]]] = []
        for offs, sp in zip(offsets, spans, strict=True):
            o = np.asarray(offs[: self.body_tokens], np.int64).reshape(-1, 2)
            got = []
            for k, (a, b) in enumerate(sp):
                pos = np.flatnonzero((o[:, 0] >= a) & (o[:, 1] <= b) & (o[:, 1] > o[:, 0]))
                if pos.size:
                    got.append((k, pos + lead))
            res.append(got)
        return res

    def embed_query(self, text: str, *, max_windows: int | None = None) -> np.ndarray:
        """``(dim,)`` float32 unit vector for one text (e.g. a resume): :meth:`embed_queries` of that text alone."""
        return self.embed_queries([text], max_windows=max_windows)[0]
