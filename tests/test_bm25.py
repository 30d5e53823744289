"""The segmented BM25 (matcher.bm25) against bm25s rebuilt over the same rows, and its incremental persistence."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from matcher.bm25 import LexicalIndex, load_dir, save_dir
from matcher.posting_index import posting_text_for_lexical
from matcher.ranking import tokenize

SAMPLE = Path(__file__).parents[1] / "data" / "sample" / "postings.jsonl"
QUERIES = ["Senior Python developer with AWS, Kubernetes and Terraform; CI/CD pipelines and Linux",
           "registered nurse ICU patient care", "java spring microservices sql", "c++ embedded firmware rtos",
           "data scientist machine learning pandas statistics experience experience"]


def _texts() -> list[str]:
    out = []
    for line in SAMPLE.read_text().splitlines():
        o = json.loads(line)
        out.append(posting_text_for_lexical(o.get("title"), None, o.get("description")))
    return out


def bm25s_reference(texts: dict[int, str], query: str, k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """What the lexical side computed before segments: bm25s (default method 'lucene') rebuilt over ``texts``
    (row -> text), a row without tokens indexed as one placeholder token."""
    import bm25s

    from matcher.second_stage import PostingLines

    rows = sorted(texts)
    corpus: list[list[str]] = []
    PostingLines.build(texts, corpus)
    bm = bm25s.BM25(k1=k1, b=b)
    bm.index([t or ["\x00empty"] for t in corpus], show_progress=False)
    out = np.zeros(rows[-1] + 1, dtype=np.float32)
    toks = [t for t in tokenize(query) if t in bm.vocab_dict]
    if toks:
        out[rows] = bm.get_scores(toks)
    return out


def _same(idx: LexicalIndex, texts: dict[int, str]) -> None:
    n = max(texts) + 1
    for q in QUERIES:
        ref = bm25s_reference(texts, q)
        got = idx.scores(q, n)[:n]
        np.testing.assert_allclose(got, np.pad(ref, (0, n - ref.size)), rtol=1e-5, atol=1e-5)
        assert ref.max() > 0


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_scores_equal_bm25s_on_real_postings(texts):
    idx = LexicalIndex().build(texts)
    _same(idx, dict(enumerate(texts)))
    assert len(idx) == len(texts) and idx.texts[5] == texts[5]


def test_incremental_equals_rebuild_after_adds_replacements_and_removals(texts):
    rng = random.Random(7)
    live: dict[int, str] = {}
    idx = LexicalIndex()
    order = list(range(len(texts)))
    rng.shuffle(order)
    # rows arrive in batches of 1..40 (many segments, merged size-tiered), some replaced, some removed
    i = 0
    while i < len(order):
        batch = order[i:i + rng.randint(1, 40)]
        i += len(batch)
        idx = idx.updated(batch, [texts[r] for r in batch])
        live.update({r: texts[r] for r in batch})
        if rng.random() < 0.5 and live:
            gone = rng.sample(sorted(live), min(3, len(live)))
            idx = idx.updated((), (), removed=gone)
            for r in gone:
                live.pop(r)
        if rng.random() < 0.3 and live:
            r = rng.choice(sorted(live))
            new = texts[(r + 17) % len(texts)]
            idx = idx.updated([r], [new])
            live[r] = new
    assert len(idx.segments) < 12  # merged along the way
    assert len(idx) == len(live) and dict(idx.texts.items()) == live
    _same(idx, live)
    compact = idx.compacted()
    assert len(compact.segments) == 1 and compact.segments[0][1] == len(live)
    _same(compact, live)


def test_an_update_leaves_the_old_index_as_it_was(texts):
    a = LexicalIndex().build(texts[:50])
    before = a.scores(QUERIES[0], 60).copy()
    b = a.updated([3, 60], [texts[99], texts[98]], removed=[4])
    assert np.array_equal(a.scores(QUERIES[0], 60), before)
    assert 4 not in b.texts and b.texts[60] == texts[98] and a.texts[4] == texts[4]
    assert b.scores(QUERIES[0], 61)[4] == 0.0


def test_rows_without_tokens_count_as_bm25s_documents():
    texts = {0: "Python developer", 1: "", 2: "the and of", 3: "Java developer with python"}
    idx = LexicalIndex().updated(list(texts), list(texts.values()))
    _same_q = bm25s_reference(texts, "python developer")
    np.testing.assert_allclose(idx.scores("python developer", 4), _same_q, rtol=1e-6)


def test_second_stage_lines_match_a_one_block_build(texts):
    from matcher.second_stage import PostingLines

    idx = LexicalIndex()
    for a in range(0, 120, 25):
        idx = idx.updated(range(a, a + 25), texts[a:a + 25])
    idx = idx.updated([7], [texts[200]], removed=[9])
    live = {r: texts[r] for r in range(125) if r != 9}
    live[7] = texts[200]
    ref = PostingLines.build(live)
    got = idx.lines
    assert got.n_docs == ref.n_docs
    resume = QUERIES[0] + "\nSite reliability engineer, on-call, Prometheus, Grafana"
    rs, gs = ref.resume_side(resume), got.resume_side(resume)
    for row in (0, 7, 9, 50, 124, 130):
        r, g = ref.read(row, rs), got.read(row, gs)
        assert (g.lines, g.lines_met) == (r.lines, r.lines_met)
        assert g.coverage == pytest.approx(r.coverage, abs=1e-6) and g.text == pytest.approx(r.text, abs=1e-6)
        assert len(got.signature(row)) == len(ref.signature(row))
    np.testing.assert_allclose(got.contrast([0, 7, 50], gs), ref.contrast([0, 7, 50], rs), rtol=1e-5)
    np.testing.assert_allclose(got.doc_norm[:125], ref.doc_norm[:125], rtol=1e-5)


def test_save_load_round_trip_and_incremental_save(tmp_path, texts):
    d = tmp_path / "lex"
    idx = LexicalIndex().build(texts[:200])
    m1 = save_dir(d, idx, keys=[f"k{i}" for i in range(200)], meta={"tag": "g1"})
    files1 = {p.name: p.stat().st_size for p in d.iterdir()}
    idx2 = idx.updated([200, 201, 5], texts[200:203], removed=[6])
    m2 = save_dir(d, idx2, keys=[f"k{i}" for i in range(202)], meta={"tag": "g2"})
    files2 = {p.name for p in d.iterdir()}
    new = files2 - set(files1)
    # only the new segment, a vocabulary and a keys chunk, the tombstones and the manifest were written
    assert all(n.startswith(("seg-", "vocab-", "keys-", "dead-")) for n in new)
    assert sum(1 for n in new if n.startswith("seg-")) == 1
    assert m2["segments"][0] == m1["segments"][0]
    back, keys, meta = load_dir(d)
    assert keys == [f"k{i}" for i in range(202)] and meta == {"tag": "g2"}
    live = {r: texts[r] for r in range(200) if r != 6}
    live.update({200: texts[200], 201: texts[201], 5: texts[202]})
    assert dict(back.texts.items()) == live
    _same(back, live)
    # loaded, changed and saved again: still incremental, the first segment untouched
    back2 = back.updated([6], [texts[250]])
    save_dir(d, back2, keys=[f"k{i}" for i in range(202)], meta={"tag": "g3"})
    assert (d / f"seg-{m1['segments'][0]}.npz").stat().st_size == files1[f"seg-{m1['segments'][0]}.npz"]
    live[6] = texts[250]
    _same(load_dir(d)[0], live)


def test_crash_between_segment_write_and_manifest_keeps_the_previous_save(tmp_path, texts, monkeypatch):
    import matcher.bm25 as bm25

    d = tmp_path / "lex"
    idx = LexicalIndex().build(texts[:100])
    m_a = save_dir(d, idx, meta={"tag": "a"})
    before = {p.name for p in d.iterdir()}
    idx2 = idx.updated([100, 3], texts[100:102], removed=[4])
    real = bm25.write_json_atomic

    def crash(path, obj, **kw):
        if Path(path).name == bm25.MANIFEST:
            raise OSError("simulated crash before the manifest switch")
        return real(path, obj, **kw)

    monkeypatch.setattr(bm25, "write_json_atomic", crash)
    with pytest.raises(OSError):
        save_dir(d, idx2, meta={"tag": "b"})
    monkeypatch.setattr(bm25, "write_json_atomic", real)
    stray = {p.name for p in d.iterdir()} - before
    assert any(n.startswith("seg-") for n in stray)  # the new segment is there, named by no manifest
    back, _, meta = load_dir(d)
    assert meta == {"tag": "a"}
    _same(back, dict(enumerate(texts[:100])))
    # the next save (from the loaded index) works and removes the stray files
    m = save_dir(d, back.updated([100], [texts[100]]), meta={"tag": "c"})
    names = {p.name for p in d.iterdir()}
    assert not names & stray and names <= bm25._referenced(m) | bm25._referenced(m_a) | {bm25.MANIFEST}
    _same(load_dir(d)[0], {**dict(enumerate(texts[:100])), 100: texts[100]})


def test_a_foreign_directory_is_written_whole(tmp_path, texts):
    d = tmp_path / "lex"
    save_dir(d, LexicalIndex().build(texts[:30]), meta={"tag": "x"})
    other = LexicalIndex().build(texts[30:60])  # not descended from that save
    save_dir(d, other, meta={"tag": "y"})
    back, _, meta = load_dir(d)
    assert meta == {"tag": "y"} and dict(back.texts.items()) == dict(enumerate(texts[30:60]))
    assert sum(1 for p in d.iterdir() if p.name.startswith("seg-")) == 1


def test_old_bm25s_directory_is_rebuilt_from_its_texts(tmp_path, texts, caplog):
    d = tmp_path / "old"
    d.mkdir()
    (d / "lexical.json").write_text(json.dumps({"k1": 1.2, "b": 0.75, "version": 1}))
    with open(d / "texts.jsonl", "w") as fh:
        for r, t in enumerate(texts[:40]):
            fh.write(json.dumps({"row": r, "text": t}) + "\n")
    with caplog.at_level("WARNING"):
        idx = LexicalIndex.load(d)
    assert "older bm25s format" in caplog.text
    _same(idx, dict(enumerate(texts[:40])))
