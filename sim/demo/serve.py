"""``recovery-sim-demo``: check the flags, then serve the trainers' page (sim.demo.app) with Solara's server.

The page's module is slow to import (Solara, Matplotlib, the model), so the flags are
checked here first: a bad one costs one line and no server. The model's compiled loops
are then loaded (or compiled, after an install or an update) before the address is
given, so the room's first Step does not wait for a compiler. The server then runs in
this process, so Ctrl-C ends it with one line rather than a traceback or Click's
"Aborted.". Solara reads its settings from the environment when imported, so the
offline ones are put there before it is.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sys

from sim.arguments import OneLineParser

PROG = "recovery-sim-demo"
LOWEST_PORT, HIGHEST_PORT = 1, 65535

#: Solara's settings for a room without internet: no telemetry, no version check (a flag), our title.
OFFLINE = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "recovery-sim demo",
}


PREPARING = "preparing the model (a few seconds; after an install or an update it compiles first: about 20 s)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The flags, the port checked here (out of range, it used to end in an OverflowError traceback)."""
    parser = OneLineParser(prog=PROG, description="Serve the trainers' page to a browser, offline.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", default="8765", help="port to listen on, 1 to 65535 (default 8765)")
    args = parser.parse_args(argv)
    allowed = f"allowed {LOWEST_PORT} to {HIGHEST_PORT}"
    try:
        port = int(args.port)
    except ValueError:
        parser.error(f"--port {args.port} is not a number: {allowed}")
    if not LOWEST_PORT <= port <= HIGHEST_PORT:
        parser.error(f"--port {args.port} is out of range: {allowed}")
    args.port = port
    return args


def exposure_warning(host: str) -> str | None:
    """A one-line warning if ``host`` lets other machines open the page (anything but loopback), else None.

    The page has no login: anyone who can reach the port can drive the model.
    """
    try:
        loopback = host.lower() == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost, or an empty host (every address)
        loopback = False
    if loopback:
        return None
    return (
        f"{PROG}: warning: --host {host} is not a loopback address: the page is reachable from other "
        "machines (127.x.x.x, localhost or ::1 keep it on this one)"
    )


def unusable_address(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (an unknown host, a port in use), or None.

    Tried here with a socket of our own, so the refusal is one line before the server
    starts, not the server's traceback after it has said where to point a browser.
    """
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        return (
            f"--host {host} is not an address of this machine ({error}): allowed 127.0.0.1, localhost or ::1"
        )
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"--port {port} is in use on {host}: allowed a free port, such as --port {port + 1}"
            return (
                f"--host {host} cannot be listened on ({error.strerror}): allowed an address of this machine"
            )
    return None


def main(argv: list[str] | None = None) -> None:
    """The command: flags checked, a warning if other machines can reach the page, then the server."""
    try:
        args = parse_args(argv)
        problem = unusable_address(args.host, args.port)
        if problem:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
            sys.exit(2)
        warning = exposure_warning(args.host)
        if warning:
            print(warning, file=sys.stderr)
        print(f"{PROG}: {PREPARING}", flush=True)
        prepare()
        address = f"[{args.host}]" if ":" in args.host else args.host  # an IPv6 address in a URL
        print(f"{PROG}: open http://{address}:{args.port} in a browser (Ctrl-C stops)", flush=True)
        serve(args.host, args.port)
    except KeyboardInterrupt:
        print(f"{PROG}: stopped (Ctrl-C)", file=sys.stderr)
        sys.exit(130)


def prepare() -> None:
    """Load the compiled loops (compile them, once) before the page opens: the first Step is quick."""
    offline()  # the page's module imports Solara
    from sim.demo.session import warm_up  # noqa: PLC0415 (slow to import: after the flags are checked)

    warm_up()


def offline() -> None:
    """Solara's settings for a room without internet, unless the caller has set them otherwise."""
    for key, value in OFFLINE.items():
        os.environ.setdefault(key, value)


def serve(host: str, port: int) -> None:
    """``solara run sim.demo.app`` in this process until it stops; its JavaScript comes from solara-assets.

    The command is invoked without Click's ``main``, which would turn Ctrl-C into
    "Aborted." and exit code 1: the KeyboardInterrupt reaches :func:`main` instead.
    """
    offline()
    from solara.__main__ import run  # noqa: PLC0415 (after the settings: Solara reads them at import)

    args = ["sim.demo.app", "--production", "--no-check-version", "--no-open", "--log-level", "warning"]
    with run.make_context("solara run", [*args, "--host", host, "--port", str(port)]) as ctx:
        run.invoke(ctx)


if __name__ == "__main__":
    main()
