"""Embedder: bundled model extraction and checksum, windowing, pooling, batching, backends.

The tests marked slow load the real bundled all-MiniLM-L6-v2 (they run in CI too).
"""
from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from matcher.embed import (
    BUNDLED_MODEL_ID,
    BUNDLED_SHA256,
    Embedder,
    locate_bundled_model,
    pool_windows,
    resolve_threads,
    safe_extract,
    split_windows,
)
from matcher.errors import ModelChecksumMismatch, ModelUnavailable

PYTHON_JOB = ("Senior Python Developer\nWe are hiring a backend engineer to build REST APIs in Python with "
              "Django and FastAPI, PostgreSQL, Docker and AWS. Experience with pytest and CI required.")
NURSE_JOB = ("Registered Nurse - ICU\nProvide direct patient care in the intensive care unit, administer "
             "medications, monitor vital signs and work with physicians. Active RN license and BLS required.")


# ---- fast unit tests ---------------------------------------------------------------------------
def test_split_windows_covers_text_with_overlap():
    ids = list(range(1000))
    wins = split_windows(ids, body=254, overlap=32)
    assert all(len(w) == 254 for w in wins)
    assert wins[0][0] == 0 and wins[-1][-1] == 999  # starts at the start, ends at the end
    for a, b in zip(wins, wins[1:], strict=False):
        assert a[-1] >= b[0] + 31  # consecutive windows overlap by at least 32 tokens
    assert split_windows(ids, body=254, overlap=32, max_windows=2) == wins[:2]
    assert split_windows([], body=254) == [[]]
    assert split_windows(ids[:254], body=254) == [ids[:254]]


def test_pool_windows_mean_first_weighted():
    v = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.float32)
    owners = np.array([0, 0, 1])
    mean = pool_windows(v, owners, 2, "mean")
    np.testing.assert_allclose(mean[0], [2 ** -0.5, 2 ** -0.5], rtol=1e-6)
    np.testing.assert_allclose(pool_windows(v, owners, 2, "first")[0], [1, 0])
    w = pool_windows(v, owners, 2, "weighted")[0]
    assert w[0] > w[1] > 0
    np.testing.assert_allclose(np.linalg.norm(mean, axis=1), 1, rtol=1e-6)


def test_safe_extract_refuses_path_traversal(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.txt", "x")
    with zipfile.ZipFile(buf) as zf, pytest.raises(ModelUnavailable, match="unsafe path"):
        safe_extract(zf, tmp_path / "dest")
    assert not (tmp_path / "evil.txt").exists()


def test_threads_auto_is_at_most_two():
    from matcher.embed import usable_cores

    assert resolve_threads(0) == 1  # auto, torch: 1 intra-op thread (see the module docstring)
    assert resolve_threads(0, "onnx") == min(2, usable_cores())  # onnxruntime does not spin-wait: 2
    assert resolve_threads(1) == resolve_threads(1, "onnx") == 1
    with pytest.raises(ValueError):
        resolve_threads(-1)


# ---- real model ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def emb(cache) -> Embedder:
    return Embedder(cache_dir=cache)


@pytest.mark.slow
def test_extraction_is_idempotent_and_leaves_no_temp_dirs(emb, cache):
    path = locate_bundled_model(cache)
    weights = path / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert locate_bundled_model(cache) == path == emb.path
    assert weights.stat().st_mtime_ns == before  # not extracted again
    assert [p.name for p in cache.iterdir() if p.name.startswith(".extract-")] == []
    assert emb.model_id == BUNDLED_MODEL_ID and emb.checksum == BUNDLED_SHA256


@pytest.mark.slow
def test_corrupt_weights_raise_checksum_mismatch(emb, tmp_path):
    copy = tmp_path / emb.path.name
    shutil.copytree(emb.path, copy)
    weights = copy / "model.safetensors"
    with open(weights, "r+b") as f:
        f.seek(os.path.getsize(weights) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelChecksumMismatch, match="Delete"):
        locate_bundled_model(tmp_path)


@pytest.mark.slow
def test_output_shape_dtype_and_unit_norm(emb):
    assert (emb.dim, emb.max_seq_length, emb.backend) == (384, 256, "torch")
    v = emb.embed_documents(["hello world", PYTHON_JOB, ""])
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1, rtol=1e-5)
    q = emb.embed_query("python developer")
    assert q.shape == (384,) and q.dtype == np.float32
    assert emb.embed_documents([]).shape == (0, 384)


@pytest.mark.slow
def test_short_text_matches_sentence_transformers_encode(emb):
    texts = ["hello world", PYTHON_JOB]
    np.testing.assert_allclose(emb.embed_documents(texts), emb.model.encode(texts), atol=1e-5)


@pytest.mark.slow
def test_empty_text_is_the_embedding_of_empty_string(emb):
    v = emb.embed_documents(["", "   "])
    np.testing.assert_allclose(v[0], v[1], atol=1e-6)
    assert abs(np.linalg.norm(v[0]) - 1) < 1e-5


@pytest.mark.slow
def test_long_text_is_windowed_and_pooled(emb):
    rng = np.random.default_rng(0)
    words = ("python django kubernetes nurse patient care accounting ledger audit design "
             "customer sales marketing java spark cloud security network teacher").split()
    text = PYTHON_JOB + " " + " ".join(rng.choice(words, size=2000))
    n = emb.count_windows([text])[0]
    assert n >= 5
    assert emb.count_windows([text], max_windows=3) == [3]
    pooled = emb.embed_query(text)
    first = emb.embed_query(text, max_windows=1)
    cos = float(pooled @ first)
    assert 0.5 < cos < 0.999  # close to, but not the same as, the first window


@pytest.mark.slow
def test_input_order_does_not_change_outputs(emb):
    texts = ["short one", PYTHON_JOB * 6, NURSE_JOB, "", PYTHON_JOB + NURSE_JOB * 3, "data engineer spark"]
    ref = emb.embed_documents(texts, batch_size=2)
    perm = [3, 1, 5, 0, 4, 2]
    out = emb.embed_documents([texts[i] for i in perm], batch_size=2)
    np.testing.assert_allclose(out, ref[perm], atol=1e-4)
    singles = np.stack([emb.embed_query(t) for t in texts])
    np.testing.assert_allclose(singles, ref, atol=1e-4)


@pytest.mark.slow
def test_known_semantic_answer(emb):
    q = emb.embed_query("python developer")
    py, nurse = emb.embed_documents([PYTHON_JOB, NURSE_JOB])
    assert q @ py > q @ nurse + 0.1


@pytest.mark.slow
def test_model_given_by_path(emb):
    other = Embedder(str(emb.path), threads=1)
    assert other.model_id == str(emb.path.resolve())
    assert other.checksum == BUNDLED_SHA256
    texts = ["python developer", NURSE_JOB]
    np.testing.assert_allclose(other.embed_documents(texts), emb.embed_documents(texts), atol=1e-5)


@pytest.mark.slow
def test_unknown_model_name_is_unavailable_offline(cache):
    with pytest.raises(ModelUnavailable, match="nothing is downloaded"):
        Embedder("no-such-org/no-such-model-xyz", cache_dir=cache)


@pytest.mark.slow
def test_onnx_fp32_matches_torch(emb, cache):
    onnx = Embedder(cache_dir=cache, backend="onnx")
    texts = ["python developer", PYTHON_JOB * 8, ""]
    cos = (onnx.embed_documents(texts) * emb.embed_documents(texts)).sum(1)
    assert cos.min() > 0.9999
    assert len(list((cache / "onnx").glob("*/model-fp32.onnx"))) == 1


@pytest.mark.slow
def test_embed_queries_is_embed_query_bit_for_bit_on_torch():
    """The batch matcher's batched query path gives exactly the vectors of one query at a time."""
    emb = Embedder(backend="torch")
    texts = ["python developer " * n for n in (1, 40, 200, 3, 90)]
    batch = emb.embed_queries(texts, max_windows=2, batch_size=3)
    for i, t in enumerate(texts):
        assert np.array_equal(batch[i], emb.embed_query(t, max_windows=2))


@pytest.mark.slow
def test_embed_queries_is_embed_query_bit_for_bit_on_onnx_over_real_resumes(cache):
    """The shipped backend: batched query vectors are those of one query at a time, bit for bit, whatever the
    batch size and the thread count (onnxruntime's own pooling is not batch-invariant; ours is), over the
    real resume texts of the shared data (each as the service's query text, 1 window) plus short ones."""
    import json

    from matcher.service import query_text
    from matcher.settings import Settings

    src = Path(__file__).resolve().parents[2] / "shared" / "data" / "resumes" / "updated_resume_dataset" / "resumes.jsonl"
    if not src.is_file():
        pytest.skip("the shared resume texts are not there")
    texts = [query_text(json.loads(x)["text"]) for x in src.read_text(encoding="utf-8").splitlines()]
    texts += ["python developer", "", "Registered nurse, ICU, 6 years " * 12]
    windows = Settings().query_windows
    one = Embedder(cache_dir=cache, backend="onnx", threads=1)
    single = np.stack([one.embed_query(t, max_windows=windows) for t in texts])
    assert len(texts) > 50 and np.allclose(np.linalg.norm(single, axis=1), 1.0, atol=1e-5)
    import torch

    before = torch.get_num_threads()
    try:
        two = Embedder(cache_dir=cache, backend="onnx", threads=2)  # sets torch's process-wide threads
    finally:
        torch.set_num_threads(before)
    for emb, size, budget in ((one, 1, None), (one, 7, None), (one, 64, None), (two, 8, None), (one, 64, 10**9)):
        default, emb.max_batch_tokens = emb.max_batch_tokens, budget or emb.max_batch_tokens
        try:  # budget 10**9: batches of 64 full windows, not the default's 2
            batch = emb.embed_queries(texts, max_windows=windows, batch_size=size)
        finally:
            emb.max_batch_tokens = default
        assert np.array_equal(batch, single), (emb.threads, size, budget)
    # and the same vectors as the documents' path (length-sorted mixed batches), up to float rounding
    cos = (single * one.embed_documents(texts, max_windows=windows)).sum(1)
    assert cos.min() > 0.99999


@pytest.mark.slow
def test_threads_by_load_give_the_same_vectors(cache):
    """An onnxruntime embedder with 2 threads runs a forward pass that starts while another runs on a 1-thread
    session of the same graph: the vectors are the same bits either way, for queries (one window) and for
    batched documents, over real resume texts and real postings, and from several threads at once."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    import torch

    from matcher.service import query_text

    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    resumes = shared / "resumes" / "updated_resume_dataset" / "resumes.jsonl"
    jobs = shared / "jobs" / "linkedin_tech_2021.jsonl"
    if not (resumes.is_file() and jobs.is_file()):
        pytest.skip("the shared resume texts and postings are not there")
    queries = [query_text(json.loads(x)["text"]) for x in resumes.read_text(encoding="utf-8").splitlines()[:40]]
    with jobs.open(encoding="utf-8") as f:
        docs = [(d.get("title") or "") + "\n" + (d.get("description") or "") for d in map(json.loads, list(f)[:48])]
    # and short lines batched many to a pass, as the second stage embeds a resume's lines
    docs += [ln for q in queries[:10] for ln in q.split("\n") if len(ln.split()) >= 3][:120]
    before = torch.get_num_threads()
    try:
        two = Embedder(cache_dir=cache, backend="onnx", threads=2)
    finally:
        torch.set_num_threads(before)
    assert two.adaptive and two.threads == 2
    alone_q = two.embed_queries(queries, max_windows=1)
    alone_d = two.embed_documents(docs, max_windows=4)
    assert two.passes["side_by_side"] == 0 and two.passes["alone"] > 0
    two._in_flight += 1  # as if another request's forward pass were running
    try:
        side_q = two.embed_queries(queries, max_windows=1)
        side_d = two.embed_documents(docs, max_windows=4)
    finally:
        two._in_flight -= 1
    assert two.passes["side_by_side"] > 0 and two._single is not None
    assert np.array_equal(side_q, alone_q) and np.array_equal(side_d, alone_d)
    with ThreadPoolExecutor(4) as pool:  # really side by side: whichever session each call got
        many = list(pool.map(lambda t: two.embed_query(t, max_windows=1), queries))
    assert np.array_equal(np.stack(many), alone_q)
    assert two._in_flight == 0
    assert not Embedder(cache_dir=cache, backend="onnx", threads=1).adaptive  # one thread: nothing to choose
    assert not Embedder(cache_dir=cache, backend="torch", threads=1).adaptive


def test_competing_work_sends_passes_to_the_one_thread_session(cache):
    """While the caller marks other CPU work (a request parsing or ranking, a batch's parse workers), a pass
    that would run alone takes the 1-thread session: same vectors, and the count goes back to 0."""
    import torch

    before = torch.get_num_threads()
    try:
        two = Embedder(cache_dir=cache, backend="onnx", threads=2)
    finally:
        torch.set_num_threads(before)
    texts = ["Senior Python developer, Django and PostgreSQL", "Registered nurse, ICU, 6 years"]
    alone = two.embed_queries(texts, max_windows=1)
    n_alone, n_side = two.passes["alone"], two.passes["side_by_side"]
    with two.competing(), two.competing():
        busy = two.embed_queries(texts, max_windows=1)
    assert two.passes["alone"] == n_alone and two.passes["side_by_side"] > n_side
    assert np.array_equal(busy, alone)
    assert two._competing == 0
    two.embed_queries(texts, max_windows=1)
    assert two.passes["alone"] > n_alone  # nothing marked any more: alone again
    with pytest.raises(RuntimeError), two.competing():
        raise RuntimeError("a failed parse")
    assert two._competing == 0


@pytest.mark.slow
def test_int8_rows_do_not_depend_on_the_batch(cache):
    """onnx-int8 quantises activations with one scale per tensor, so it runs windows one at a time: six full
    windows batched together give the vectors of each alone (they differed by up to 0.0096 per component)."""
    int8 = Embedder(cache_dir=cache, backend="onnx-int8", max_batch_tokens=10**9)
    texts = [f"python developer {n} " * 300 + "nurse " * n for n in range(6)]
    assert int8.count_windows(texts, max_windows=1) == [1] * 6
    batch = int8.embed_queries(texts, max_windows=1, batch_size=64)
    assert np.array_equal(batch, np.stack([int8.embed_query(t, max_windows=1) for t in texts]))
    # windows of different lengths in one batch (padded to the longest): each still gets its vector alone
    mixed = ["nurse", "python developer " * 40, "site reliability engineer " * 150]
    together = int8.embed_documents(mixed, max_windows=1)
    assert np.array_equal(together, np.stack([int8.embed_documents([t], max_windows=1)[0] for t in mixed]))


@pytest.mark.slow
def test_batches_are_cut_by_padded_tokens(emb):
    """A forward pass gets at most max_batch_tokens padded tokens (or one window), longest windows first; the
    vectors are those of one large batch up to float rounding."""
    shapes: list[tuple[int, int]] = []
    inner = emb._backend

    class Recorder:
        def forward(self, arrays):
            shapes.append(arrays["input_ids"].shape)
            return inner.forward(arrays)

    texts = ["python developer " * n for n in (1, 2, 5, 60, 200, 3, 90, 7, 1, 400)] + [NURSE_JOB, ""]
    default = emb.max_batch_tokens
    try:
        emb._backend, emb.max_batch_tokens = Recorder(), 300
        small = emb.embed_documents(texts, max_windows=2)
        cut = list(shapes)
        shapes.clear()
        emb.max_batch_tokens = 10**9
        big = emb.embed_documents(texts, max_windows=2)
    finally:
        emb._backend, emb.max_batch_tokens = inner, default
    windows = sum(emb.count_windows(texts, max_windows=2))
    assert sum(r for r, _ in cut) == windows and len(shapes) == 1 and shapes[0][0] == windows
    assert all(r * w <= 300 or r == 1 for r, w in cut)
    assert [w for _, w in cut] == sorted((w for _, w in cut), reverse=True)
    assert cut[0] == (1, 256) and cut[-1][0] > 1  # full windows alone, short ones together
    assert (small * big).sum(1).min() > 0.99999
    with pytest.raises(ValueError, match="max_batch_tokens"):
        Embedder(max_batch_tokens=0)


@pytest.mark.slow
def test_a_version_1_onnx_export_is_exported_again(cache):
    """Caches made before the token_embeddings output (one output) are replaced on first use, atomically."""
    import onnx

    first = Embedder(cache_dir=cache, backend="onnx")
    path = next((cache / "onnx").glob("*/model-fp32.onnx"))
    model = onnx.load(str(path))
    keep = [o for o in model.graph.output if o.name == "sentence_embedding"]
    del model.graph.output[:]
    model.graph.output.extend(keep)
    onnx.save(model, str(path))  # what version 1 wrote
    again = Embedder(cache_dir=cache, backend="onnx")
    outputs = {o.name for o in onnx.load(str(path), load_external_data=False).graph.output}
    assert outputs == {"sentence_embedding", "token_embeddings"}
    assert np.array_equal(again.embed_query(PYTHON_JOB), first.embed_query(PYTHON_JOB))
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("backend", ["torch", "onnx", "onnx-int8"])
def test_query_with_spans_is_one_pass_with_the_query_vector(cache, emb, backend):
    """A resume's vector and its lines' vectors come from one forward pass: the vector is embed_query's (same bits),
    each line's vector is its tokens' mean in context — nearer to that line alone than to another line — and
    a text's spans do not depend on the other texts of a batched call."""
    emb = emb if backend == "torch" else Embedder(cache_dir=cache, backend=backend)
    icu = "Registered nurse in the intensive care unit for two years."
    sre = "Kept recommendation and ranking services up at 99.99% availability."
    text = f"Site reliability engineer.\n{sre}\n{icu}\n" + "python developer " * 300
    spans = [(text.find(sre), text.find(sre) + len(sre)), (text.find(icu), text.find(icu) + len(icu)),
             (len(text) - 9, len(text))]  # the last: past the first window
    q, lines = emb.embed_query_with_spans(text, spans, max_windows=1)
    assert np.array_equal(q, emb.embed_query(text, max_windows=1))
    assert lines.shape == (3, emb.dim) and np.isnan(lines[2]).all()
    assert np.allclose(np.linalg.norm(lines[:2], axis=1), 1.0, atol=1e-5)
    alone = emb.embed_documents([sre, icu], max_windows=1)
    sims = lines[:2] @ alone.T
    assert sims[0, 0] > sims[0, 1] + 0.2 and sims[1, 1] > sims[1, 0] + 0.1
    texts = [text, "nurse", text[:300]]
    Q, S = emb.embed_queries_with_spans(texts, [spans, [(0, 5)], []], max_windows=1)
    assert np.array_equal(Q, emb.embed_queries(texts, max_windows=1))
    assert np.array_equal(S[0], lines, equal_nan=True) and S[2].shape == (0, emb.dim)
    assert np.array_equal(S[1][0], emb.embed_query_with_spans("nurse", [(0, 5)])[1][0])
    with pytest.raises(ValueError, match="one list of spans per text"):
        emb.embed_queries_with_spans(texts, [spans])


def test_head_tokenisation_keeps_the_windows_and_offsets_of_the_whole_text(emb):
    """A text of which only the first k windows are read is tokenised up to a word break past what they need:
    the windows (so the vectors) and the offsets of the kept tokens are those of the whole text, over every
    shared resume text (and their query texts), for k = 1, 2, 4; a head with too few tokens (words past 100
    characters are one [UNK] each) falls back to the whole text."""
    import json

    from matcher.service import query_text

    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "resumes"
    texts = []
    for f in (shared / "updated_resume_dataset" / "resumes.jsonl", shared / "livecareer" / "resumes.jsonl"):
        if f.is_file():
            texts += [json.loads(x)["text"] for x in f.read_text(encoding="utf-8").splitlines()[:400]]
    if not texts:
        pytest.skip("the shared resume texts are not there")
    texts += [query_text(t) for t in texts[:200]]
    texts += [" ".join(["x" * 150] * 200), "word " * 5000, "short text", ""]
    assert emb._word_local
    whole = emb._encode(texts, offsets=True)
    cut = 0
    for k in (1, 2, 4):
        head = emb._encode_head(texts, k, offsets=True)
        need = emb.body_tokens + (k - 1) * (emb.body_tokens - emb.overlap) + 1
        cut += sum(len(h) < len(w) for h, w in zip(head["input_ids"], whole["input_ids"], strict=True))
        (wh, oh), (ww, ow) = emb._windows(texts, k), emb._windows(texts, k, whole["input_ids"])
        assert [list(w) for w in wh] == [list(w) for w in ww] and np.array_equal(oh, ow)
        for h, w in zip(head["offset_mapping"], whole["offset_mapping"], strict=True):
            assert list(h[:need]) == list(w[:need])
    assert cut > len(texts)  # most long texts were read by their head only
    assert emb._encode_head([texts[-4]], 1)["input_ids"][0] == whole["input_ids"][-4]  # [UNK]s: read whole
