"""Layout checks shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Page

# Each word of a visible heading wider than its box: it could only break mid-word. Measured with the
# heading's own font, so the test holds where the browser has hyphenation dictionaries and where not.
WORDS_TOO_WIDE = """() => {
    const ctx = document.createElement('canvas').getContext('2d');
    const found = [];
    for (const h of document.querySelectorAll('h1, h2, h3')) {
        if (!h.offsetParent) continue;
        ctx.font = getComputedStyle(h).font;
        for (const word of h.textContent.trim().split(/\\s+/)) {
            if (ctx.measureText(word).width > h.clientWidth) found.push(word);
        }
    }
    return found;
}"""


def words_too_wide(page: Page) -> list[str]:
    return list(page.evaluate(WORDS_TOO_WIDE))
