"""The web page's "Candidates for a job" tab in a real browser against the real service (fixtures and skips of
tests/test_web.py: Debian's chromium through Playwright)."""
from __future__ import annotations

import json

from tests.test_candidates import NURSE_RESUME, PY_RESUME
from tests.test_web import browser, page, pytestmark, server  # noqa: F401 - fixtures and the skip marker

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - skipped by pytestmark then
    expect = None


def test_candidates_tab_add_search_remove(page, tmp_path):  # noqa: F811
    page.click("#tab-btn-candidates")
    expect(page.locator("#tab-candidates")).to_be_visible()
    expect(page.locator("#tab-jobs")).to_be_hidden()
    assert page.get_attribute("#tab-btn-candidates", "aria-selected") == "true"

    label = '<img src=x onerror="window.pwned=1">jane'
    f = tmp_path / "jane.txt"
    f.write_text(PY_RESUME)
    page.set_input_files("#cand-file", str(f))
    page.fill("#cand-label", label)
    page.click("#add-submit")
    expect(page.locator("#add-status")).to_contain_text("Added")
    expect(page.locator("#pool-list")).to_contain_text(label)  # shown as text, never as markup
    g = tmp_path / "john.txt"
    g.write_text(NURSE_RESUME)
    page.set_input_files("#cand-file", str(g))
    page.click("#add-submit")
    expect(page.locator("#pool-list li")).to_have_count(2)

    posting = {"@type": "JobPosting", "title": "Python Backend Developer",
               "description": "Python, Django and AWS services", "educationRequirements": "bachelor degree"}
    page.fill("#rc-posting", json.dumps(posting))
    page.click("#search-submit")
    expect(page.locator("#rc-output")).to_be_visible()
    expect(page.locator("#rc-job")).to_contain_text("Python Backend Developer")
    expect(page.locator("#rc-results li").first).to_contain_text(label)
    expect(page.locator("#rc-filters tbody tr")).to_have_count(3)

    page.fill("#rc-posting", json.dumps({"@type": "JobPosting", "description": "no title"}))
    page.click("#search-submit")
    expect(page.locator("#search-status")).to_contain_text("refused")

    page.locator("#pool-list li", has_text="jane").get_by_role("button").click()
    expect(page.locator("#pool-status")).to_contain_text("Removed")
    expect(page.locator("#pool-list li")).to_have_count(1)
    assert page.evaluate("window.pwned") is None
    assert page.errors == []
    page.click("#tab-btn-jobs")
    expect(page.locator("#match-form")).to_be_visible()
