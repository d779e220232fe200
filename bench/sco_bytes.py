"""Bytes a learner's browser transfers for each module: its first page, and its largest page.

Each module is built (SCORM 1.2 and 2004 differ only in the manifest, which the browser never loads),
unzipped, served over HTTP on 127.0.0.1 and opened in Debian's Chromium through Playwright. Every
response is counted (headers + body, as Chromium reports them) when the module opens and again as each
section is shown; a page's figure is what the first load plus that section's own files cost. The test
server does not compress; "gzip" is what the first page's files come to when an LMS's web server gzips
them. Also prints the longest suspend_data each module can produce (a bound: the longest answers any
one try of the question bank can give). Prints figures; asserts nothing (target: first page under 150 KB).

    .venv/bin/python bench/sco_bytes.py [--chromium /usr/bin/chromium] [COURSE_DIR ...]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Request, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scorm.authoring import discover, load_course  # noqa: E402
from scorm.build import build_package  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGET = 150_000
FIRST_PAGE_FILES = ("index.html", "sco/sco.js", "sco/sco.css")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _transferred(request: Request) -> int:
    sizes = request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])


def measure(page: Page, url: str) -> tuple[int, list[tuple[str, int]], int]:
    """First-load bytes, each section's own extra bytes, and the longest suspend_data in characters."""
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    first = sum(_transferred(r) for r in finished)
    sections: list[tuple[str, int]] = []
    ids: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('[data-kind]')].map(s => s.dataset.id)"
    )
    for index, section_id in enumerate(ids):
        if index:
            finished.clear()
            page.click("#sco-next")
            page.wait_for_function(
                "id => { const s = document.querySelector('.sco-section:not([hidden])');"
                " return s.dataset.id === id && [...s.querySelectorAll('img')].every(i => i.complete); }",
                arg=section_id,
            )
            page.wait_for_load_state("networkidle")
        sections.append((section_id, first if not index else sum(_transferred(r) for r in finished)))
    # An upper bound: the longest answers of any one try's questions, the longest seed and ids (sco.js).
    longest = int(page.evaluate("() => SCO.encode(SCO.longestState()).length"))
    return first, sections, longest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("courses", nargs="*", type=Path)
    args = parser.parse_args()
    folders = args.courses or discover(ROOT / "courses")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder in folders:
            archive = build_package(load_course(folder), "scorm12", root / "zips")
            with zipfile.ZipFile(archive) as package:
                package.extractall(root / "site" / folder.name)
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root / "site")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"

        header = f"{'module':<22} {'first page':>10} {'gzip':>9} {'largest page':>13}  {'(section)':<28}"
        print(f"{header} suspend_data")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            for folder in folders:
                context = browser.new_context()
                first, sections, longest = measure(context.new_page(), f"{base}/{folder.name}/index.html")
                context.close()
                name, extra = max(sections[1:] or sections, key=lambda item: item[1])
                largest = first + (extra if sections[1:] else 0)
                flag = "" if first < TARGET else "  over target!"
                site = root / "site" / folder.name
                packed = sum(len(gzip.compress((site / f).read_bytes(), mtime=0)) for f in FIRST_PAGE_FILES)
                sizes = f"{first / 1000:>7.1f} KB {packed / 1000:>6.1f} KB {largest / 1000:>10.1f} KB"
                print(f"{folder.name:<22} {sizes}  ({name:<26}) {longest:>6} chars{flag}")
            browser.close()
        server.shutdown()
    print(
        f"target: first page < {TARGET // 1000} KB; suspend_data limit 4,096 (1.2) / 64,000 (2004) characters"
    )


if __name__ == "__main__":
    main()
