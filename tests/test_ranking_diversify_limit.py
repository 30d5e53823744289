"""diversify(limit=): the first ``limit`` places are those of a full pass, and a lazy signature sequence is read
only where the pass looks (round 5 speed-up of the match path); PostingLines.read's vectorised coverage."""
import random

from matcher.ranking import diversify


class _Counting:
    def __init__(self, sigs):
        self.sigs, self.read = sigs, set()

    def __len__(self):
        return len(self.sigs)

    def __getitem__(self, i):
        self.read.add(i)
        return self.sigs[i]


def test_limit_gives_the_first_places_of_a_full_pass():
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 45)
        companies = [rng.choice(["A", "B", "C", None, "D", "E"]) for _ in range(n)]
        sigs = [frozenset(rng.sample(range(12), 4)) if rng.random() < 0.5 else frozenset({100 + i}) for i in range(n)]
        cap = rng.choice([0, 1, 2, 3])
        limit = rng.choice([1, 5, 10, 20, 50])
        full, why_full = diversify(companies, sigs, cap, near_duplicate=0.6)
        part, why_part = diversify(companies, sigs, cap, near_duplicate=0.6, limit=limit)
        assert sorted(part) == list(range(n))
        assert part[:limit] == full[:limit]
        for pos in part[:limit]:
            assert why_part.get(pos) == why_full.get(pos)


def test_limit_reads_only_what_it_places():
    companies = ["A"] * 3 + [f"C{i}" for i in range(27)]
    sigs = _Counting([frozenset({i}) for i in range(30)])
    out, why = diversify(companies, sigs, 2, limit=10)
    # page one: A, A, then the third A waits; C0..C7 fill it — positions 0..10 looked at, nothing after
    assert out[:10] == [0, 1, 3, 4, 5, 6, 7, 8, 9, 10] and why == {2: "more than 2 from A on one page"}
    assert sigs.read == set(range(11)) - {2}


def test_lazy_signatures_match_signature():
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex

    body = "Kubernetes Terraform AWS Linux monitoring Prometheus Grafana alerting incident response " * 3
    idx = LexicalIndex().build([posting_text_for_lexical("SRE", None, body),
                                posting_text_for_lexical("Data Engineer", None, "Spark Airflow pipelines " * 5)])
    lazy = idx.lines.signatures([1, 0, 1])
    assert len(lazy) == 3 and lazy[0] == idx.lines.signature(1) and lazy[-2] == idx.lines.signature(0)
    assert lazy[0:2] == [idx.lines.signature(1), idx.lines.signature(0)]


def test_read_coverage_known_answer_with_boilerplate_between_requirement_lines():
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex

    desc = ("Kubernetes Terraform Linux\nWe offer dental insurance\nPython Go Rust services\nshort")
    idx = LexicalIndex().build([posting_text_for_lexical("Ops", None, desc),
                                posting_text_for_lexical("Nurse", None, "Patient care ward rounds")])
    L = idx.lines
    r = L.read(0, L.resume_side("Kubernetes Terraform Linux and Python"))
    # requirement lines: line 1 (all three words shown) and line 3 (python of python / go / rust / service, each
    # in this posting only, so equal idf: one quarter); the title lines ("ops": too short), the boilerplate and
    # the short line are not read
    assert r.lines == 2 and r.lines_met == 1
    assert abs(r.coverage - (1.0 + 1 / 4) / 2) < 1e-6


def test_tokenize_memo_gives_the_plain_rules():
    from matcher.ranking import _term, tokenize

    text = "The C# and C++ devs use .NET, node.js, Kubernetes; a B R x services analysis process"
    expected = [t for t in (_term(w) for w in ("the c# and c++ devs use .net node.js kubernetes a b r x services "
                                               "analysis process").split()) if t]
    assert tokenize(text) == expected == tokenize(text)  # second call served from the memo
    assert expected == ["c#", "c++", "devs", "use", ".net", "node.js", "kubernete", "r", "service", "analysis",
                        "process"]
    assert tokenize(None) == [] and tokenize("") == []
