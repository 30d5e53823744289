"""JobIndex: filtered search against brute-force ground truth, writes, persistence, concurrency."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from index import ColumnRow, JobIndex, PlannerSettings

D = 32


def unit(x):
    x = np.asarray(x, np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def clustered(n, d=D, seed=0, centers=20):
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centers, d))
    return unit(c[rng.integers(0, centers, n)] + 0.6 * rng.standard_normal((n, d)))


def rows_for(n, seed=0):
    rng = np.random.default_rng(seed)
    return [ColumnRow(degree=int(rng.choice([-1, 0, 1, 2, 3, 4], p=[.1, .05, .05, .05, .6, .15])),
                      months=int(rng.integers(-1, 120)), remote=bool(rng.random() < .2),
                      valid_through=None if rng.random() < .5 else float(rng.integers(0, 1000)))
            for _ in range(n)]


def brute(vectors, keys, q, k, mask):
    """Ground truth: scores of every eligible row, best first then key."""
    idx = np.flatnonzero(mask)
    s = vectors[idx] @ q
    order = sorted(range(len(idx)), key=lambda i: (-s[i], keys[idx[i]]))[:k]
    return [keys[idx[i]] for i in order], s[order]


def build(n=3000, settings=None, tmp_path=None, seed=0):
    ix = JobIndex.create(tmp_path or "/nonexistent-unsaved", dim=D, model_id="test-model", model_checksum="abc",
                         settings=settings)
    keys = [f"p{i:05d}" for i in range(n)]
    X = clustered(n, seed=seed)
    ix.upsert(keys, X, rows_for(n, seed))
    return ix, keys, X


def random_mask(n, sel, seed):
    rng = np.random.default_rng(seed)
    m = np.zeros(n, bool)
    m[rng.choice(n, max(1, int(round(sel * n))), replace=False)] = True
    return m


def assert_matches_brute(res, X, keys, Q, k, masks, min_recall=1.0):
    for i in range(len(Q)):
        m = masks if masks.ndim == 1 else masks[i]
        truth, tscores = brute(X, keys, Q[i], k, m)
        got = [h[0] for h in res.hits[i]]
        assert all(m[keys.index(g)] for g in got), "result outside the mask"
        assert len(got) == min(k, int(m.sum()))
        if min_recall == 1.0:
            # exact: same scores; keys equal except where float ties differ in the last ulp
            np.testing.assert_allclose([h[1] for h in res.hits[i]], tscores, rtol=0, atol=1e-5)
            assert got == truth or len(set(got) ^ set(truth)) <= 2
        else:
            assert len(set(got) & set(truth)) / max(1, len(truth)) >= min_recall


@pytest.mark.parametrize("sel", [1.0, 0.3, 0.05, 0.002])
def test_exact_filtered_equals_brute_force(sel):
    ix, keys, X = build()
    Q = clustered(8, seed=9)
    mask = random_mask(len(keys), sel, seed=1)
    res = ix.search(Q, 10, mask=mask)
    assert all(p.startswith("exact") for p in res.plans)
    assert_matches_brute(res, X, keys, Q, 10, mask)
    assert res.eligible == [int(mask.sum())] * len(Q)


@pytest.mark.parametrize("sel", [1.0, 0.3, 0.1])
def test_ivf_filtered_matches_brute_force(sel):
    ix, keys, X = build(4000, PlannerSettings(subset_max=10, nlist=32, nprobe_base=8, ivf_min_candidates=400))
    assert ix.build_ann()
    Q = clustered(10, seed=9)
    mask = random_mask(len(keys), sel, seed=2)
    res = ix.search(Q, 10, mask=mask)
    assert set(res.plans) <= {"ivf", "ivf+fallback"} and "ivf" in res.plans
    assert_matches_brute(res, X, keys, Q, 10, mask, min_recall=0.9)
    # full probing makes IVF exact
    ix.set_settings(PlannerSettings(subset_max=10, nlist=32, nprobe_base=32))
    assert_matches_brute(ix.search(Q, 10, mask=mask), X, keys, Q, 10, mask)


def test_ivf_starved_by_selector_falls_back_to_exact():
    ix, keys, X = build(4000, PlannerSettings(subset_max=5, nlist=64, nprobe_base=1, nprobe_max=1))
    ix.build_ann()
    Q = clustered(5, seed=3)
    mask = random_mask(len(keys), 0.002, seed=4)  # 8 rows, scattered over lists nprobe=1 won't reach
    res = ix.search(Q, 8, mask=mask)
    assert "ivf+fallback" in res.plans
    assert_matches_brute(res, X, keys, Q, 8, mask)


def test_k_results_when_k_eligible_and_never_outside_mask():
    ix, keys, X = build(500)
    Q = clustered(3, seed=5)
    for cnt in (0, 1, 7, 10, 11, 499):
        mask = np.zeros(500, bool)
        mask[:cnt] = True
        res = ix.search(Q, 10, mask=mask)
        for hits in res.hits:
            assert len(hits) == min(10, cnt)
            assert all(int(key[1:]) < cnt for key, _ in hits)


def test_per_query_masks_batch():
    ix, keys, X = build(3000)
    Q = clustered(6, seed=6)
    masks = np.stack([random_mask(3000, s, seed=i) for i, s in enumerate([1, .5, .1, .01, .001, .3])])
    res = ix.search(Q, 10, masks=masks)
    assert_matches_brute(res, X, keys, Q, 10, masks)
    res2 = ix.search(Q, 10, masks=list(masks))
    assert res2.hits == res.hits
    ix.build_ann()
    ix.set_settings(PlannerSettings(subset_max=100, nlist=ix.snapshot().ann.nlist, nprobe_base=10_000))
    res3 = ix.search(Q, 10, masks=masks)
    assert "ivf" in res3.plans
    assert_matches_brute(res3, X, keys, Q, 10, masks)


def test_ties_broken_by_key():
    ix = JobIndex.create("/x", dim=4, model_id="m")
    v = unit(np.ones((5, 4)))
    ix.upsert(["e", "c", "a", "d", "b"], v, [ColumnRow()] * 5)
    res = ix.search(v[:1], 3)
    assert [h[0] for h in res.hits[0]] == ["a", "b", "c"]


def test_upsert_replaces_and_remove():
    ix, keys, X = build(200)
    assert len(ix) == 200
    new = unit(-X[0])
    ix.upsert(["p00000"], new[None], [ColumnRow(degree=4)])
    assert len(ix) == 200 and ix.n_rows == 201
    assert ix.row_of("p00000") == 200
    np.testing.assert_allclose(ix.vector_of("p00000"), new)
    assert ix.columns.degree[200] == 4 and not ix.columns.alive[0]
    res = ix.search(X[:1], 200)
    assert [k for k, _ in res.hits[0]].count("p00000") == 1
    assert ix.remove(["p00001", "p00002", "nope"]) == 2
    assert len(ix) == 198 and "p00001" not in ix
    assert all(k not in ("p00001", "p00002") for k, _ in ix.search(X[:3], 200).hits[0])
    # duplicates within one call: last wins
    ix.upsert(["dup", "dup"], unit(X[:2]), [ColumnRow(months=1), ColumnRow(months=2)])
    assert ix.columns.months[ix.row_of("dup")] == 2 and len(ix) == 199
    assert ix.compact() == 3 and ix.n_rows == len(ix) == 199
    assert ix.search(X[5:6], 1).hits[0][0][0] == "p00005"
    assert ix.columns.row(ix.row_of("dup")).months == 2


def test_upsert_validates_input():
    ix = JobIndex.create("/x", dim=4, model_id="m")
    with pytest.raises(ValueError):
        ix.upsert(["a"], np.ones((1, 4)), [ColumnRow()])  # not normalised
    with pytest.raises(ValueError):
        ix.upsert(["a"], unit(np.ones((1, 3))), [ColumnRow()])
    with pytest.raises(ValueError):
        ix.upsert(["a"], unit(np.ones((1, 4))), [])


def test_ann_gets_new_rows_and_hides_them_from_older_snapshots():
    ix, keys, X = build(3000, PlannerSettings(subset_max=10, nlist=16, nprobe_base=16))
    ix.build_ann()
    old = ix.snapshot()
    v = unit(clustered(1, seed=77))
    ix.upsert(["fresh"], v, [ColumnRow()])
    assert ix.snapshot().ann.ivf.ntotal == 3001
    assert ix.search(v, 1).hits[0][0][0] == "fresh"
    assert all(k != "fresh" for k, _ in old.search(v, 5).hits[0])


def test_shorter_mask_is_padded_longer_refused():
    ix, keys, X = build(100)
    mask = ix.columns.alive.copy()
    ix.upsert(["late"], X[:1], [ColumnRow()])
    res = ix.search(X[:1], 200, mask=mask)
    assert "late" not in [k for k, _ in res.hits[0]]
    with pytest.raises(ValueError):
        ix.search(X[:1], 5, mask=np.ones(500, bool))


def test_concurrent_searches_during_writes_never_fail():
    ix, keys, X = build(3000, PlannerSettings(subset_max=200, nlist=16, nprobe_base=4))
    ix.build_ann()
    errors, stop = [], threading.Event()
    Q = clustered(4, seed=11)

    def reader(seed):
        rng = np.random.default_rng(seed)
        try:
            while not stop.is_set():
                snap = ix.snapshot()
                mask = snap.columns.degree_at_most(int(rng.integers(0, 5))) & ~snap.columns.remote
                use = rng.random() < .7
                res = snap.search(Q, 10, mask=mask if use else None)
                for i, hits in enumerate(res.hits):
                    rows = res.rows[i]
                    assert len(hits) == min(10, res.eligible[i])
                    assert snap.alive[rows].all() and (not use or mask[rows].all())
                    assert [k for k, _ in hits] == snap.key_of(rows)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    rng = np.random.default_rng(0)
    for it in range(25):
        ks = [f"p{int(i):05d}" for i in rng.integers(0, 3000, 20)] + [f"n{it}-{j}" for j in range(5)]
        ix.upsert(ks, clustered(len(ks), seed=100 + it), rows_for(len(ks), it))
        ix.remove([f"p{int(i):05d}" for i in rng.integers(0, 3000, 10)])
        if it % 15 == 14:
            ix.compact()
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_compact_keeps_ivf_consistent():
    ix, keys, X = build(3000, PlannerSettings(subset_max=10, nlist=16, nprobe_base=16))
    ix.build_ann()
    gone = set(keys[::3])
    assert ix.remove(gone) == 1000
    assert ix.compact() == 1000
    snap = ix.snapshot()
    assert snap.ann.ivf.ntotal == snap.n_rows == 2000
    kept = [k for k in keys if k not in gone]
    Xk = X[[i for i, k in enumerate(keys) if k not in gone]]
    Q = clustered(5, seed=21)
    mask = random_mask(2000, 0.5, seed=3)
    res = snap.search(Q, 10, mask=mask)
    assert set(res.plans) == {"ivf"}
    assert_matches_brute(res, Xk, kept, Q, 10, mask)


@pytest.mark.parametrize("sel", [1.0, 0.1])
def test_single_query_blocked_products_match_brute_force(sel):
    ix, keys, X = build(5000)  # > 1024 rows: the one-query path computes in row blocks
    mask = random_mask(5000, sel, seed=8)
    for q in clustered(3, seed=12):
        res = ix.search(q, 7, mask=mask)
        assert_matches_brute(res, X, keys, q[None], 7, mask)


def test_exact_subset_ties_past_the_first_candidates_broken_by_key():
    # 40 copies of one vector (the same posting text at 40 places) among 1000 rows: the one-query subset
    # path asks faiss for k + 8 candidates, must notice the tie runs past them, and widen until it does not
    n, dup = 1000, 40
    rng = np.random.default_rng(3)
    X = clustered(n, seed=3)
    twin = unit(rng.standard_normal(D))
    pos = rng.choice(n, dup, replace=False)
    X[pos] = twin
    keys = [f"k{(i * 7919) % n:05d}" for i in range(n)]  # key order unrelated to row order
    ix = JobIndex.create("/nonexistent-unsaved", dim=D, model_id="m")
    ix.upsert(keys, X, rows_for(n))
    mask = random_mask(n, 0.1, seed=5)
    mask[pos] = True
    for k in (1, 10, 39):
        res = ix.search(twin, k, mask=mask)
        assert res.plans == ["exact-subset"]
        assert [h[0] for h in res.hits[0]] == sorted(keys[i] for i in pos)[:k]
        assert_matches_brute(res, X, keys, twin[None], k, mask)
