"""The browser tests' CSP watch works: an inline script without the request's nonce, added to a
real page, is refused by Chromium and recorded; the home page itself runs without a violation."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_script_without_the_nonce_is_refused_and_recorded(page, server_url, browser) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url + "/")
    assert browser.csp_violations == []
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.leaked = 1';
                            document.body.appendChild(s); }""")
    page.wait_for_timeout(200)  # let the console event arrive (not a timing assertion)
    assert page.evaluate("window.leaked") is None
    assert any("Content Security Policy" in v for v in browser.csp_violations)
    browser.csp_violations.clear()  # expected here; any other test with a violation fails
