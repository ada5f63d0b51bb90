"""The demo server with the network cut off at the socket layer, for the offline test.

``python -m sim.demo.netguard LOG [recovery-sim-demo's flags]`` runs the
command in a process where any connection, datagram or name lookup for an
address other than this machine's loopback fails at once (as it would
without internet) and is written to LOG, one line each. A test then serves
the page, drives it and reads LOG: empty means nothing tried to leave.
Solara's Markdown, for one, made the server try cdn.jsdelivr.net six times
per page load (for KaTeX).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from pathlib import Path

#: Written to the log first, so a test can tell a guard that caught nothing from one never installed.
INSTALLED = "guard installed"


def is_local(host: str | bytes | None) -> bool:
    """True for this machine: a loopback address, 'localhost', or no host (a Unix socket, a bind to all)."""
    if isinstance(host, bytes):
        host = host.decode()
    if not host or host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def block_network(log: Path) -> None:
    """From now on, refuse and write down every attempt of this process to reach another machine."""
    log = Path(log)
    log.write_text(INSTALLED + "\n")

    def refuse(what: str, target: object) -> OSError:
        with log.open("a") as out:
            out.write(f"{what} {target!r}\n")
        return OSError(errno.ENETUNREACH, f"the network is blocked (offline check): {what} {target!r}")

    def host_of(address: object) -> object:
        return address[0] if isinstance(address, tuple) else None  # a path for a Unix socket

    connect, connect_ex, sendto, getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.socket.sendto,
        socket.getaddrinfo,
    )

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not is_local(host_of(address)):
            raise refuse("connect", address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not is_local(host_of(address)):
            refuse("connect", address)
            return errno.ENETUNREACH
        return connect_ex(self, address)

    def guarded_sendto(self: socket.socket, data: bytes, *args: object) -> int:
        address = args[-1]
        if not is_local(host_of(address)):
            raise refuse("sendto", address)
        return sendto(self, data, *args)

    def guarded_getaddrinfo(host: str | bytes | None, *args: object, **kwargs: object) -> list:
        if not is_local(host):
            raise refuse("lookup", host)
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.socket.sendto = guarded_sendto
    socket.getaddrinfo = guarded_getaddrinfo


def main(argv: list[str] | None = None) -> None:
    """Block the network, then run ``recovery-sim-demo`` with the remaining flags."""
    argv = sys.argv[1:] if argv is None else argv
    block_network(Path(argv[0]))
    from sim.demo.serve import main as demo  # noqa: PLC0415 (after the guard: nothing may slip past it)

    demo(argv[1:])


if __name__ == "__main__":
    main()
