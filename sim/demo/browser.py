"""Drive the served demo in a real browser: the browser test and the README screenshot use this.

Playwright cannot download its own browsers here, so it drives Debian's
chromium (``apt-get install chromium``) with the flags that make it start in
a container without a display or network.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Generous: the server compiles the model's loops first after an install or an update.
START_TIMEOUT_S = 120.0
#: A projector's screen: what the page is laid out for.
WIDTH, HEIGHT = 1366, 768


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_demo(port: int | None = None, guard_log: Path | None = None) -> Iterator[str]:
    """Run ``recovery-sim-demo`` on this machine until the block ends; yields the page's address.

    With ``guard_log``, the server runs with the network blocked (sim.demo.netguard) and
    writes every attempt to leave the machine there.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    module = ["sim.demo.app"] if guard_log is None else ["sim.demo.netguard", str(guard_log)]
    server = subprocess.Popen(
        [sys.executable, "-m", *module, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                raise RuntimeError(
                    f"the demo server stopped (exit {server.returncode}): {server.stdout.read()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"the demo server did not answer at {url} in {START_TIMEOUT_S:.0f} s"
                    ) from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@contextmanager
def chromium():
    """Headless chromium, closed when the block ends; open pages with :func:`open_page`."""
    from playwright.sync_api import sync_playwright  # a dev dependency: only tests and docs need it

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str, width: int = WIDTH, height: int = HEIGHT):
    """The page in a browser context of its own (its own cookies: a participant of its own), at week 0.

    Every request it makes for another machine is refused and kept in ``page.outside``;
    console errors and uncaught exceptions in ``page.errors``.
    """
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.outside, page.errors = [], []

    def only_this_machine(route) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost", "::1") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(url)
    wait_for_week(page, 0)
    return page


@contextmanager
def browser_page(url: str, width: int = WIDTH, height: int = HEIGHT):
    """One page of the served demo in headless chromium, at week 0."""
    with chromium() as browser:
        yield open_page(browser, url, width, height)


def choose(page, label: str, option: str) -> None:
    """Pick an option, by its words, from one of the page's drop-downs, found by its label."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: PLC0415 (a dev dependency)

    menu = page.locator(".menuable__content__active")
    item = menu.locator(".v-list-item").filter(has=page.get_by_text(option, exact=True)).first
    for attempt in range(3):  # on a busy machine the menu may open before the page has settled
        page.locator(".v-select", has_text=label).click()
        try:
            item.click(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    menu.wait_for(state="hidden")  # closed: the next drop-down's menu is the only one open


def slide(page, label: str, key: str = "End") -> None:
    """Move one of the page's sliders with the keyboard (End: to its maximum, Home: to its minimum)."""
    page.get_by_role("slider", name=label).press(key)


def week(page) -> int:
    """The week the page shows."""
    return int(page.locator(".demo-week").inner_text().split()[1])


#: The week on the page, in the page's own JavaScript.
SHOWN_WEEK = (
    "(() => { const shown = document.querySelector('.demo-week'); "
    "return shown ? +shown.textContent.split(' ')[1] : -1; })()"
)


def wait_for_week(page, week: int, timeout_ms: int = 60_000, or_later: bool = False) -> None:
    """Wait until the page shows the given week (or, ``or_later``, any week after it: ▶ may skip one).

    Checked at every frame the browser draws, so a week shown for a moment is not missed.
    """
    test = ">=" if or_later else "==="
    page.wait_for_function(f"{SHOWN_WEEK} {test} {week}", polling="raf", timeout=timeout_ms)


def step(page, times: int = 1) -> None:
    """Click Step, waiting for each week to appear before the next click."""
    for _ in range(times):
        now = week(page)
        page.get_by_role("button", name="Step").click()
        wait_for_week(page, now + 1)


def numbers(page, table: str = ".demo-full") -> dict[str, tuple[str, str, str]]:
    """A table as shown: row label -> (firm A, firm B, B − A); ``.demo-headline`` for the headline."""
    rows = {}
    for row in page.locator(f"{table} tbody tr").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        rows[cells[0]] = tuple(cells[1:])
    return rows


def in_view(page, selector: str) -> bool:
    """True if all of the element is inside the window without scrolling."""
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def screenshot(path: Path, weeks: int = 52) -> Path:
    """The README's picture (``python -m sim.demo.browser``): the page after ``weeks`` weeks, 1366 × 768."""
    with served_demo() as url, browser_page(url) as page:
        step(page, weeks)
        page.evaluate("document.activeElement.blur()")  # no focus ring on the last button clicked
        page.mouse.move(0, HEIGHT - 1)
        page.wait_for_timeout(1000)  # the button's ripple fades
        page.screenshot(path=str(path))
    return path


if __name__ == "__main__":
    print(screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/demo.png")))
