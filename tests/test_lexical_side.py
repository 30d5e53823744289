"""The job side's BM25 (matcher.lexical.LexicalSide): writes cost their postings, saves write what changed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.lexical import LexicalSide
from matcher.posting_index import posting_text_for_lexical

SAMPLE = Path(__file__).parents[1] / "data" / "sample" / "postings.jsonl"


@dataclass
class P:
    id: str
    title: str | None
    company: str | None
    description: str | None


def _postings(n: int) -> list[P]:
    out = []
    for i, line in enumerate(SAMPLE.read_text().splitlines()[:n]):
        o = json.loads(line)
        out.append(P(f"p{i}", o.get("title"), None, o.get("description")))
    return out


def _rebuilt(postings: list[P]) -> LexicalSide:
    side = LexicalSide()
    side.update(postings)
    return side


def _scores_by_key(side: LexicalSide, q: str) -> dict[str, float]:
    s = side.index.scores(q, len(side.keys))
    return {k: float(s[i]) for i, k in enumerate(side.keys) if i in side.index.texts}


def test_updates_removals_and_a_reload_score_as_a_rebuild(tmp_path):
    ps = _postings(120)
    side = LexicalSide()
    side.update(ps[:60])
    side.update(ps[60:100])
    side.update((), removed=["p3", "p70", "nope"])
    changed = P("p10", "Site Reliability Engineer", None, "Kubernetes, Terraform, on-call, Linux")
    side.update([changed, *ps[100:]])
    live = [p for p in ps if p.id not in ("p3", "p70", "p10")] + [changed]
    ref = _rebuilt(live)
    q = "site reliability engineer kubernetes terraform python aws"
    got, want = _scores_by_key(side, q), _scores_by_key(ref, q)
    assert set(got) == set(want) == {p.id for p in live}
    for k in want:
        assert abs(got[k] - want[k]) <= 1e-5 * max(1.0, abs(want[k]))
    # saved, loaded with its tag: the same scores; another tag: None (rebuilt from the store)
    side.save(tmp_path / "lexical", "idx/5")
    back = LexicalSide.load(tmp_path / "lexical", "idx/5")
    assert back is not None and back.keys == side.keys
    assert _scores_by_key(back, q) == pytest_approx(got)
    assert LexicalSide.load(tmp_path / "lexical", "idx/6") is None


def pytest_approx(d: dict[str, float]):
    import pytest

    return pytest.approx(d, rel=1e-6, abs=1e-6)


def test_a_save_after_a_small_write_writes_only_the_new_segment(tmp_path):
    d = tmp_path / "lexical"
    side = _rebuilt(_postings(200))
    side.save(d, "g1")
    sizes = {p.name: p.stat().st_size for p in d.iterdir()}
    side.update([P("new1", "Data Engineer", None, "Spark, Airflow and SQL pipelines")], removed=["p5"])
    side.save(d, "g2")
    new = {p.name: p.stat().st_size for p in d.iterdir() if p.name not in sizes}
    kinds = sorted(n.split("-")[0] for n in new)  # and the manifest, replaced; a vocabulary chunk if new terms came
    assert kinds in (["dead", "keys", "seg"], ["dead", "keys", "seg", "vocab"])
    assert sum(new.values()) < 0.05 * sum(sizes.values())
    back = LexicalSide.load(d, "g2")
    assert back is not None and back.keys[-1] == "new1"
    s = back.index.scores("spark airflow", len(back.keys))
    assert s[back.keys.index("new1")] > 0 and back.keys.index("p5") not in back.index.texts
    # compacted: one segment, the tombstone gone; the old files stay one save more (a reader of the previous
    # manifest may be opening them), then go
    back.compact()
    back.save(d, "g3")
    assert len(back.index.segments) == 1 and sum(1 for p in d.iterdir() if p.name.startswith("seg-")) == 3
    back.save(d, "g4")
    assert sum(1 for p in d.iterdir() if p.name.startswith("seg-")) == 1
    assert not any(p.name.startswith("dead-") for p in d.iterdir())


def test_a_side_in_the_older_bm25s_format_is_rebuilt_from_its_texts(tmp_path, caplog):
    d = tmp_path / "lexical"
    d.mkdir()
    ps = _postings(30)
    texts = [posting_text_for_lexical(p.title, p.company, p.description) for p in ps]
    (d / "keys.json").write_text(json.dumps({"generation": "g7", "keys": [p.id for p in ps]}))
    (d / "lexical.json").write_text(json.dumps({"k1": 1.2, "b": 0.75, "version": 1}))
    (d / "texts.jsonl").write_text("".join(json.dumps({"row": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    np.save(d / "rows.npy", np.arange(len(texts)))
    with caplog.at_level("WARNING"):
        side = LexicalSide.load(d, "g7")
    assert side is not None and "older bm25s format" in caplog.text
    assert LexicalSide.load(d, "g8") is None
    q = "software engineer cloud"
    assert _scores_by_key(side, q) == pytest_approx(_scores_by_key(_rebuilt(ps), q))
    side.save(d, "g8")  # the next save writes the new format in its place
    assert not (d / "keys.json").exists() and (d / "manifest.json").exists()
    assert LexicalSide.load(d, "g8").keys == [p.id for p in ps]


def test_the_snapshot_row_map_follows_writes_as_a_full_rebuild_would():
    """for_snapshot maps lexical rows to the rows of each new vector snapshot from the previous map (rows added,
    tombstoned, replaced; lexical rows added after the snapshot; a compaction renumbering everything)."""
    import random

    from index import ColumnRow, JobIndex

    rng = random.Random(3)
    ix = JobIndex.create("/nonexistent-unsaved", dim=4, model_id="m")
    side = LexicalSide()

    def vec(n):
        v = np.abs(np.random.default_rng(len(side.keys)).normal(size=(n, 4))) + 0.1
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    def write(ps, gone=()):
        if ps:
            ix.upsert([p.id for p in ps], vec(len(ps)), [ColumnRow()] * len(ps))
        if gone:
            ix.remove(gone)
        side.update(ps, removed=gone)

    def check():
        snap = ix.snapshot()
        got = side.for_snapshot(snap)._lex2row
        full = LexicalSide._map(side, snap, None)[1]
        assert got.tolist() == full.tolist()
        for pos, row in enumerate(got.tolist()):
            assert row == -1 or snap.key_of([row])[0] == side.keys[pos]

    ps = _postings(80)
    write(ps[:30])
    check()
    for step in range(12):
        new = ps[30 + 4 * step:34 + 4 * step]
        replaced = [P(k, "Engineer", None, f"text {step}") for k in rng.sample(side.keys, 2)]
        gone = rng.sample(sorted(set(side.keys) - {p.id for p in replaced}), 2)
        write(new + replaced, gone)
        check()
        if step == 5:  # lexical rows added after the vector snapshot was taken (same snapshot, new version)
            extra = [P(f"x{step}", "Data Engineer", None, "Spark and SQL")]
            ix.upsert([extra[0].id], vec(1), [ColumnRow()])
            side.for_snapshot(ix.snapshot())
            side.update(extra)
            check()
        if step == 8:
            ix.compact()  # rows renumbered: a new key list, rebuilt
            check()
    check()
