"""benchmarks/eval_parse.py keeps the held-out splits held out: they are never tuning splits, --show-failures
refuses them, and --tune does not even load them (issue 11)."""
from __future__ import annotations

import sys

import pytest

from tests.label_tools import ROOT, record_opens
from tests.label_tools import load_eval_parse as _eval_parse


def test_held_out_splits_are_not_tuning_splits():
    ev = _eval_parse()
    assert set(ev.HELD_OUT_SPLITS) == {"test", "test2", "test3", "test5w"}
    assert set(ev.TUNING_SPLITS) == {"dev0", "dev", "dev3", "dev4w"}


@pytest.mark.parametrize("split", ["test", "test2", "test3", "test5w"])
def test_show_failures_refuses_a_held_out_split(split, monkeypatch, capsys):
    ev = _eval_parse()
    monkeypatch.setattr(sys, "argv", ["eval_parse.py", "--show-failures", split, "--no-timing"])
    with pytest.raises(SystemExit) as e:
        ev.main()
    assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err


@pytest.mark.skipif(not (ROOT.parent / "shared" / "data" / "labels").is_dir(), reason="../shared not present")
def test_tuning_never_opens_the_held_out_label_files(monkeypatch):
    ev = _eval_parse()
    opened = record_opens(monkeypatch)
    labels = ev.load_labels(ROOT.parent / "shared" / "data", ev.TUNING_SPLITS)
    assert labels and {r["split"] for r in labels} <= set(ev.TUNING_SPLITS)
    assert any(p.endswith("resume_fields_dev3.jsonl") for p in opened)
    assert not [p for p in opened if "test2" in p or "test3" in p or "test5w" in p], opened


def test_judge_country_only_is_unknown_unless_strict(monkeypatch):
    """A location with the right country and no city, against a label naming a city: the city is unknown (not wrong)
    by default; wrong under --country-only-wrong (the judge of rounds 1-4); another country is wrong either way."""
    from matcher.domain import Place

    ev = _eval_parse()
    lab = {"location": {"city": "Netanya", "country": "IL"}}
    assert ev.judge("location", Place(country="IL"), lab) == "unknown"
    assert ev.judge("location", Place(country="US"), lab) == "wrong"
    assert ev.judge("location", Place(city="Haifa", country="IL", lat=32.8, lon=35.0), lab) == "wrong"
    assert ev.judge("location", Place(city="Netanya", country="IL"), lab) == "right"
    monkeypatch.setattr(ev, "COUNTRY_ONLY_IS_WRONG", True)
    assert ev.judge("location", Place(country="IL"), lab) == "wrong"
    # a label without a country cannot confirm the country: a country-only value stays wrong
    assert ev.judge("location", Place(country="IL"), {"location": {"city": "Netanya", "country": None}}) == "wrong"
