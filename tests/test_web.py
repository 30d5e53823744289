"""The web page at ``/``, driven in a real browser against the real service.

Starts ``uvicorn api.app:create_app`` in a subprocess on a free port, over a temporary data dir holding
real postings (ingested with ``jobmatch ingest``), and drives Debian's chromium through Playwright
(never Playwright's own browser download). Needs ``bash scripts/install_browser.sh``; without
chromium or the playwright package the tests are skipped and say why.

Environment:
- ``JOBMATCH_CHROMIUM``: the browser binary (default ``/usr/bin/chromium``).
- ``JOBMATCH_WEB_TEST_DATA_DIR``: an already-ingested data dir to copy instead of ingesting (faster).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESUME_DIR = SHARED / "data" / "resumes" / "livecareer" / "pdf" / "INFORMATION-TECHNOLOGY"
SAMPLE = ROOT / "data" / "sample" / "postings.jsonl"
FALLBACK_POSTINGS = SHARED / "data" / "jobs" / "linkedin_tech_2021.jsonl"
# the README shows docs/screenshot.png; a run refreshes it only when asked (a test must not rewrite tracked files)
SCREENSHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM = Path(os.environ.get("JOBMATCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
N_POSTINGS = 80
AS_OF = "2021-08-01"
READY_TIMEOUT_S = 240

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if sync_playwright is None:
    pytestmark = [pytestmark, pytest.mark.skip(
        reason="the playwright Python package is not installed: run `bash scripts/install_browser.sh`")]
elif not CHROMIUM.exists():
    pytestmark = [pytestmark, pytest.mark.skip(
        reason=f"no chromium at {CHROMIUM}: run `bash scripts/install_browser.sh` (or set JOBMATCH_CHROMIUM)")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _resume_pdf() -> Path:
    pdfs = sorted(RESUME_DIR.glob("*.pdf"))
    if not pdfs:
        pytest.fail(f"no resume PDFs in {RESUME_DIR}")
    return pdfs[0]


def _postings_file(tmp: Path) -> Path:
    """A few real postings: the bundled sample if present, else the head of the shared 2021 dump."""
    src = SAMPLE if SAMPLE.exists() else FALLBACK_POSTINGS
    lines = [line for line in src.read_text(encoding="utf-8").splitlines() if line.strip()][:N_POSTINGS]
    out = tmp / "postings.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBMATCH_")}
    env["JOBMATCH_DATA_DIR"] = str(data_dir)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of the real service over a fresh data dir of real postings."""
    tmp = tmp_path_factory.mktemp("web")
    data_dir = tmp / "data"
    prepared = os.environ.get("JOBMATCH_WEB_TEST_DATA_DIR")
    if prepared:
        shutil.copytree(prepared, data_dir)
    else:
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", "ingest", str(_postings_file(tmp)), "--data-dir", str(data_dir)],
            cwd=ROOT, env=_env(data_dir), capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"`jobmatch ingest` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    port = _free_port()
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=_env(data_dir), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                r = httpx.get(f"{base}/readyz", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server was not ready after {READY_TIMEOUT_S} s:\n"
                            f"{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.5)
        assert r.json()["postings"] > 0, f"no postings were indexed: {r.text}"
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page on ``/`` that records every request and every script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.requests, pg.errors = [], []  # type: ignore[attr-defined]
    pg.on("request", lambda req: pg.requests.append(req.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.set_default_timeout(120_000)
    pg.goto(server + "/")
    yield pg
    context.close()


def _api_match(server: str, pdf: Path, **fields) -> dict:
    with pdf.open("rb") as f:
        r = httpx.post(f"{server}/v1/match/resume", files={"file": (pdf.name, f, "application/pdf")},
                       data=fields, timeout=180)
    assert r.status_code == 200, r.text
    return r.json()


def test_page_is_served_with_its_assets(server):
    r = httpx.get(server + "/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert 'type="file"' in r.text and "static/app.js" in r.text
    for asset in ("static/app.js", "static/style.css"):
        assert httpx.get(f"{server}/{asset}").status_code == 200, asset


def test_upload_resume_shows_results_filters_and_profile(page, server, tmp_path):
    pdf = _resume_pdf()
    # what the API itself answers for the same request: the page must show these postings
    expected = _api_match(server, pdf, as_of=AS_OF, radius_km="20000", top_k="5")
    assert expected["results"], f"the API found no match, so the page cannot show one: {json.dumps(expected['filters'])}"
    titles = {m["title"] for m in expected["results"]}

    page.set_input_files("#file", str(pdf))
    expect(page.locator("#file-chosen")).to_contain_text(pdf.name)
    page.fill("#as_of", AS_OF)
    # a wide radius so that wherever the resume says the person lives, the location rule keeps postings
    page.fill("#radius_km", "20000")
    page.fill("#top_k", "5")
    page.click("#submit")

    items = page.locator("#results > li.result")
    expect(items.first).to_be_visible()
    assert items.count() == len(expected["results"])
    shown = [t.strip() for t in page.locator("#results .result-title a, #results .result-title").all_inner_texts()]
    first_title = page.locator("#results > li.result").first.locator(".result-title").inner_text()
    assert any(t in first_title for t in titles), (first_title, titles)
    assert all(any(t in s for s in shown) for t in titles), (shown, titles)

    # requirements are marked with a symbol AND a word, never colour alone
    reqs = page.locator("#results .req")
    if reqs.count():
        for text in reqs.all_inner_texts():
            assert any(w in text for w in ("met", "not met", "unknown")), text

    # the filter report: one row per rule, with how many postings it removed
    rows = page.locator("#filters-table tbody tr")
    assert rows.count() == len(expected["filters"]["rules"])
    for rule in expected["filters"]["rules"]:
        row = page.locator(f'#filters-table tr[data-rule="{rule["rule"]}"]')
        expect(row.locator(".rule-status")).to_contain_text(rule["status"])
        if rule["status"] == "applied":
            expect(row.locator(".rule-removed")).to_contain_text(f"removed {rule['removed']}")
    expect(page.locator("#filters-summary")).to_contain_text(f"As of {AS_OF}")

    # the extracted profile
    expect(page.locator("#profile")).to_contain_text("Highest degree")
    expect(page.locator("#profile")).to_contain_text("Experience")
    for skill in expected["candidate"]["skills"][:3]:
        expect(page.locator('#profile [data-field="skills"]')).to_contain_text(skill)

    # every control has a label; nothing is fetched from anywhere but this server; no script errors
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.name)""")
    assert unlabelled == []
    assert all(u.startswith(server) or u.startswith("data:") for u in page.requests), page.requests
    assert page.errors == []

    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "screenshot.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    # sensible in a narrow window: no sideways scrolling
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_more_filters_from_the_page_match_the_api(page, server):
    """Issue 12: employment type, minimum salary and freshness are sent by the form and reported per rule with
    the postings kept as unknown; results show type, salary and posting date."""
    pdf = _resume_pdf()
    fields = dict(as_of=AS_OF, radius_km="20000", top_k="5", employment_types="FULL_TIME,CONTRACTOR",
                  min_salary="100000", salary_currency="USD", posted_within_days="30")
    expected = _api_match(server, pdf, **fields)
    rules = {r["rule"]: r for r in expected["filters"]["rules"]}
    assert all(rules[r]["status"] == "applied" for r in ("employment_type", "salary", "freshness"))

    page.set_input_files("#file", str(pdf))
    page.fill("#as_of", AS_OF)
    page.fill("#radius_km", "20000")
    page.fill("#top_k", "5")
    page.select_option("#employment_types", ["FULL_TIME", "CONTRACTOR"])
    page.fill("#min_salary", "100000")
    page.fill("#posted_within_days", "30")
    page.click("#submit")
    expect(page.locator("#filters-summary")).to_contain_text(f"{expected['filters']['eligible']} passed")
    for name in ("employment_type", "salary", "freshness"):
        row = page.locator(f'#filters-table tr[data-rule="{name}"]')
        expect(row.locator(".rule-status")).to_contain_text("applied")
        text = f"removed {rules[name]['removed']}" + (f", {rules[name]['unknown']} kept as unknown"
                                                      if rules[name]["unknown"] else "")
        expect(row.locator(".rule-removed")).to_have_text(text)
    items = page.locator("#results > li.result")
    assert items.count() == len(expected["results"])
    for i, m in enumerate(expected["results"]):
        if m["employment_types"]:
            expect(items.nth(i).locator(".fact-type")).to_be_visible()
        if m["salary"]:
            expect(items.nth(i).locator(".fact-salary")).to_contain_text(m["salary"]["currency"] or "currency")
    assert page.errors == []


def test_without_as_of_the_page_explains_expired_postings(page, server):
    pdf = _resume_pdf()
    expected = _api_match(server, pdf)
    validity = next(r for r in expected["filters"]["rules"] if r["rule"] == "validity")
    page.set_input_files("#file", str(pdf))
    page.click("#submit")
    expect(page.locator("#output")).to_be_visible()
    row = page.locator('#filters-table tr[data-rule="validity"]')
    expect(row.locator(".rule-removed")).to_contain_text(f"removed {validity['removed']}")
    if validity["removed"]:
        expect(page.locator("#validity-note")).to_contain_text("2021")


def test_unsupported_file_shows_a_sentence(page):
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    page.set_input_files("#file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png}])
    page.click("#submit")
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("That file type isn't supported")
    assert error.get_attribute("role") == "alert"
    expect(page.locator("#output")).to_be_hidden()


def test_empty_file_shows_a_sentence(page):
    page.set_input_files("#file", files=[{"name": "resume.pdf", "mimeType": "application/pdf", "buffer": b""}])
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text("is empty")


def test_no_file_shows_a_sentence(page):
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text("Choose a resume file first")


@pytest.mark.parametrize("status, body, sentence", [
    (413, {"error": {"code": "file_too_large", "message": "the file is too big"}}, "That file is too large"),
    (422, {"error": {"code": "empty_document", "message": "no text found"}}, "We couldn't read that resume"),
    (422, {"detail": [{"loc": ["body", "months"], "msg": "Input should be a valid integer"}]},
     "Some of the options aren't valid"),
    (401, {"error": {"code": "unauthorized", "message": "missing or wrong API key"}}, "needs an API key"),
    (503, {"error": {"code": "not_ready", "message": "loading"}}, "The matcher is still starting"),
    (500, None, "Something went wrong in the matcher"),
    (None, None, "Couldn't reach the matcher"),
])
def test_api_errors_become_sentences(page, status, body, sentence):
    """Every failure the API (or the network) can produce reads as a sentence, in the live region."""
    def reply(route):
        if status is None:
            route.abort("connectionrefused")
        else:
            route.fulfill(status=status, content_type="application/json",
                          body=json.dumps(body) if body is not None else "Internal Server Error")

    page.route("**/v1/match/resume", reply)
    page.set_input_files("#file", files=[{"name": "cv.txt", "mimeType": "text/plain", "buffer": b"Python developer"}])
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text(sentence)
    if isinstance(body, dict) and "detail" in body:
        expect(page.locator("#error")).to_contain_text("Months of experience")
    expect(page.locator("#submit")).to_be_enabled()


def test_api_key_is_sent_and_api_text_is_never_markup(page):
    """The key goes in X-API-Key; a title holding HTML is shown as text, and javascript: links are dropped."""
    seen = {}
    evil = "<img src=x onerror=\"window.pwned=1\">Engineer"
    answer = {
        "candidate": {"degree": None, "months": None, "location": None, "skills": ["<b>SQL</b>"],
                      "evidence": {}, "overridden": []},
        "filters": {"as_of": "2021-08-01T00:00:00Z", "total": 1, "eligible": 1, "rules": []},
        "results": [{"id": "x", "title": evil, "company": "<script>window.pwned=2</script>", "location": "Austin, TX",
                     "remote": False, "score": 0.5, "distance_km": None, "url": "javascript:window.pwned=3",
                     "valid_through": None, "requirements": {}, "skills_in_common": []}],
    }

    def reply(route):
        seen["key"] = route.request.headers.get("x-api-key")
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    page.route("**/v1/match/resume", reply)
    page.click("details.api-key summary")
    page.fill("#api_key", "s3cret")
    page.set_input_files("#file", files=[{"name": "cv.txt", "mimeType": "text/plain", "buffer": b"Python developer"}])
    page.click("#submit")
    expect(page.locator("#results .result-title")).to_contain_text(evil)
    assert seen["key"] == "s3cret"
    assert page.locator("#results img, #results script, #profile b").count() == 0
    assert page.locator("#results a").count() == 0
    assert page.evaluate("window.pwned") is None


def test_keyboard_only_use(page):
    """The file picker, every field and the button are reachable with Tab, in order."""
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement && document.activeElement.id"))
        if order[-1] == "submit":
            break
    for needed in ("file", "location", "radius_km", "remote", "degree", "months", "as_of", "no_filters", "submit"):
        assert needed in order, (needed, order)
    assert order.index("file") < order.index("location") < order.index("as_of") < order.index("submit")
