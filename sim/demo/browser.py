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
#: Generous: the first request imports the model and lays out the network.
START_TIMEOUT_S = 90.0


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_demo(port: int | None = None) -> Iterator[str]:
    """Run ``recovery-sim-demo`` on this machine until the block ends; yields the page's address."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.demo.app", "--port", str(port)],
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
def browser_page(width: int = 1600, height: int = 1150):
    """A fresh page in headless chromium, closed when the block ends."""
    from playwright.sync_api import sync_playwright  # a dev dependency: only tests and docs need it

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def choose(page, label: str, option: str) -> None:
    """Pick an option from one of the page's drop-downs, found by its label."""
    page.locator(".v-select", has_text=label).click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()


def slide(page, label: str, key: str = "End") -> None:
    """Move one of the page's sliders with the keyboard (End: to its maximum, Home: to its minimum)."""
    page.get_by_role("slider", name=label).press(key)


def wait_for_week(page, week: int, timeout_ms: int = 60_000) -> None:
    """Wait until the monitors show the given week."""
    page.get_by_text(f"Week {week} of", exact=False).first.wait_for(timeout=timeout_ms)


def step(page, times: int = 1) -> None:
    """Click Step, waiting for each week to appear before the next click."""
    for _ in range(times):
        now = int(page.locator("h4", has_text="Week").first.inner_text().split()[1])
        page.get_by_role("button", name="Step").click()
        wait_for_week(page, now + 1)


def monitor_table(page) -> dict[str, tuple[str, str, str]]:
    """The monitors as shown: row label -> (firm A, firm B, B − A)."""
    rows = {}
    for row in page.locator("table tr").all()[1:]:
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        if len(cells) == 4:
            rows[cells[0]] = tuple(cells[1:])
    return rows


def screenshot(path: Path, weeks: int = 52) -> Path:
    """The README's picture: the default page after ``weeks`` weeks (``python -m sim.demo.browser``)."""
    with served_demo() as url, browser_page(height=1500) as page:
        page.goto(url)
        wait_for_week(page, 0)
        step(page, weeks)
        page.screenshot(path=str(path), full_page=True)
    return path


if __name__ == "__main__":
    print(screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/demo.png")))
