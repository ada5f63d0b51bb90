"""`recovery-sim-demo`'s flags and its ending: one line for a bad port, a warning for an open host, Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

from sim.demo import serve
from sim.demo.browser import free_port

STOPPED = "recovery-sim-demo: stopped (Ctrl-C)"
PREPARING = f"recovery-sim-demo: {serve.PREPARING}"


@pytest.mark.parametrize(("port", "problem"), [("99999", "is out of range"), ("abc", "is not a number")])
def test_a_bad_port_is_refused_in_one_line_and_no_server_starts(port, problem):
    """Through the module the browser test serves; 99999 used to end in an OverflowError traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "sim.demo.app", "--port", port], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"recovery-sim-demo: error: --port {port} {problem}: allowed 1 to 65535"
    ]
    assert done.stdout == ""  # not even the line that says where to open the page


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "0"], "--port 0 is out of range: allowed 1 to 65535"),
        (["--port=-1"], "--port -1 is out of range: allowed 1 to 65535"),
        (["--port", "65536"], "--port 65536 is out of range: allowed 1 to 65535"),
        (["--port", "80.5"], "--port 80.5 is not a number: allowed 1 to 65535"),
        (["--port"], "argument --port: expected one argument"),
        (["--colour", "red"], "unrecognized arguments: --colour red"),
    ],
)
def test_every_flag_error_is_one_line_without_the_usage(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        serve.parse_args(argv)
    assert info.value.code == 2
    assert capsys.readouterr().err == f"recovery-sim-demo: error: {message}\n"


def test_the_ends_of_the_port_range_are_allowed():
    assert serve.parse_args(["--port", "1"]).port == 1
    assert serve.parse_args(["--port", "65535"]).port == 65535
    assert serve.parse_args([]).port == 8765


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "LocalHost", "::1"])
def test_a_loopback_host_gives_no_warning(host):
    assert serve.exposure_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "demo.example.org", ""])
def test_any_other_host_is_warned_about(host):
    assert serve.exposure_warning(host) == (
        f"recovery-sim-demo: warning: --host {host} is not a loopback address: the page is reachable "
        "from other machines (127.x.x.x, localhost or ::1 keep it on this one)"
    )


def test_the_command_warns_about_an_open_host_then_serves(capsys, monkeypatch):
    done = []
    monkeypatch.setattr(serve, "prepare", lambda: done.append("prepared"))
    monkeypatch.setattr(serve, "serve", lambda host, port: done.append((host, port)))
    serve.main(["--host", "0.0.0.0", "--port", "8080"])
    out, err = capsys.readouterr()
    assert err == serve.exposure_warning("0.0.0.0") + "\n"
    assert out == f"{PREPARING}\nrecovery-sim-demo: open http://0.0.0.0:8080 in a browser (Ctrl-C stops)\n"
    assert done == ["prepared", ("0.0.0.0", 8080)]  # the model is ready before the address is given


def test_ctrl_c_in_the_server_ends_the_command_with_one_line(capsys, monkeypatch):
    def interrupted(host, port):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(serve, "prepare", lambda: None)
    monkeypatch.setattr(serve, "serve", interrupted)
    with pytest.raises(SystemExit) as info:
        serve.main([])
    assert info.value.code == 130
    assert capsys.readouterr().err == STOPPED + "\n"


def test_ctrl_c_while_the_model_is_prepared_ends_with_one_line(capsys, monkeypatch):
    def interrupted():  # noqa: ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(serve, "prepare", interrupted)
    with pytest.raises(SystemExit) as info:
        serve.main([])
    assert info.value.code == 130
    assert capsys.readouterr().err == STOPPED + "\n"


def test_ctrl_c_stops_the_real_server_with_one_line_and_no_traceback():
    """Uvicorn shuts down on SIGINT and raises it again; Click's main would have printed 'Aborted.'."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.demo.serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:  # listening; no page is fetched, so Solara has nothing to warn about
            assert server.poll() is None, server.communicate()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the demo server did not start"
                time.sleep(0.3)
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 130
    assert err == STOPPED + "\n"
    assert out.startswith(
        f"{PREPARING}\nrecovery-sim-demo: open http://127.0.0.1:{port} in a browser (Ctrl-C stops)\n"
    )


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("bad..host", "--host bad..host is not an address of this machine"),
        ("999.1.1.1", "--host 999.1.1.1 is not an address of this machine"),
        ("192.0.2.1", "--host 192.0.2.1 cannot be listened on"),  # TEST-NET-1: never this machine's
    ],
)
def test_a_host_the_server_cannot_listen_on_is_refused_in_one_line(host, expected):
    assert serve.unusable_address(host, free_port()).startswith(expected)


def test_a_port_in_use_is_refused_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve.unusable_address("127.0.0.1", port) == (
            f"--port {port} is in use on 127.0.0.1: allowed a free port, such as --port {port + 1}"
        )
    assert serve.unusable_address("127.0.0.1", free_port()) is None
