"""Upload bytes are never written to disk: the multipart spool is larger than the body cap (in-process)."""
from __future__ import annotations

import tempfile

from fastapi.testclient import TestClient

from api.app import create_app
from matcher.settings import Settings


def test_a_3mb_upload_never_rolls_over_to_a_temp_file(tmp_path, monkeypatch):
    made: list[str] = []
    real_rollover = tempfile.SpooledTemporaryFile.rollover

    def rollover(self):  # what Starlette's form parser calls when a part outgrows the spool
        made.append("rollover")
        return real_rollover(self)

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", rollover)
    app = create_app(Settings(data_dir=tmp_path, model=str(tmp_path / "no-model"), max_upload_bytes=4 << 20))
    with TestClient(app) as c:
        app.state.jm.loaded.wait(60)
        data = b"Python developer with AWS. " * 110_000  # ~3 MB: above Starlette's 1 MB default spool
        r = c.post("/v1/match/resume", files={"file": ("r.txt", data)})
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"  # the form was parsed first
        r = c.post("/v1/match/resume", files={"file": ("r.txt", data + data)})
        assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    assert made == []
