"""Edge-list files: a file the model cannot read is refused at validation, each problem in its own line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim.world.edgelist
from sim.world.config import to_sim_config
from sim.world.edgelist import ALLOWED_EDGELIST, TEXT_PREFIX, _parse, check_edgelist
from sim.world.network import read_edgelist
from sim.world.parameter import ConfigError

RECOVERY_SIM = str(Path(sys.executable).with_name("recovery-sim"))
PAST = TEXT_PREFIX // 4  # lines of "0 1\n" that fill the prefix read before the lines


def refusal(path: Path | str) -> str:
    """The message validation gives for an edge list at ``path``."""
    with pytest.raises(ConfigError) as info:
        to_sim_config({"network": {"kind": "edgelist", "path": str(path)}})
    return str(info.value)


def written(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "net.edgelist"
    path.write_bytes(data)
    return path


def test_a_missing_file(tmp_path):
    path = tmp_path / "nowhere.edgelist"
    assert refusal(path) == f"network.path={path} does not exist: {ALLOWED_EDGELIST}"


def test_a_directory(tmp_path):
    assert refusal(tmp_path) == f"network.path={tmp_path} is a directory: {ALLOWED_EDGELIST}"


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    """Opening a FIFO for reading waits for a writer: the check must not open it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert refusal(fifo) == f"network.path={fifo} is not a regular file (a FIFO): {ALLOWED_EDGELIST}"


def test_a_device_is_refused_without_reading_it():
    """/dev/zero never ends: reading it would hang."""
    expected = f"network.path=/dev/zero is not a regular file (a character device): {ALLOWED_EDGELIST}"
    assert refusal("/dev/zero") == expected


def test_an_unreadable_file(tmp_path, monkeypatch):
    """Root reads a chmod 000 file, so the refusal of open() is simulated."""
    path = written(tmp_path, b"0 1\n")

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sim.world.edgelist, "open", refuse, raising=False)
    expected = f"network.path={path} is unreadable (Permission denied): {ALLOWED_EDGELIST}"
    assert refusal(path) == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_a_file_without_read_permission(tmp_path):
    path = written(tmp_path, b"0 1\n")
    path.chmod(0)
    expected = f"network.path={path} is unreadable (Permission denied): {ALLOWED_EDGELIST}"
    assert refusal(path) == expected


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"0 1\n1 2\x00\n", "is binary (a NUL byte on line 2)"),
        (b"0 1\n" * (PAST + 10) + b"\x00", f"is binary (a NUL byte on line {PAST + 11})"),
        (b"0 1\n\xff\xfe 2\n", "is not UTF-8 text (byte 0xff on line 2)"),
        (b"0 1\n" * PAST + b"caf\xe9 1\n", f"is not UTF-8 text (byte 0xe9 on line {PAST + 1})"),
    ],
    ids=["nul", "nul-past-the-prefix", "latin-1", "latin-1-past-the-prefix"],
)
def test_a_binary_file(tmp_path, data, problem):
    path = written(tmp_path, data)
    assert refusal(path) == f"network.path={path} {problem}: {ALLOWED_EDGELIST}"


def test_a_huge_binary_file_is_refused_from_its_first_bytes(tmp_path):
    """A gigabyte of NULs and no newline: reading it by lines would take it all in as one line."""
    path = tmp_path / "huge.bin"
    with open(path, "wb") as handle:
        handle.truncate(2**30)  # sparse: no disk used
    start = time.perf_counter()
    assert refusal(path) == f"network.path={path} is binary (a NUL byte on line 1): {ALLOWED_EDGELIST}"
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"# a comment\n0 1\n2\n", "line 3 is malformed: allowed two node ids per line"),
        (b"", "has no edges: allowed one edge per line"),
        (b"# only a comment\n\n", "has no edges: allowed one edge per line"),
        (
            b"7 7\nalice alice\n",
            "has no edges between two different nodes (only self-loops): "
            "allowed at least one line with two different node ids",
        ),
    ],
    ids=["malformed", "empty", "comments-only", "self-loops-only"],
)
def test_a_file_without_a_usable_edge(tmp_path, data, message):
    path = written(tmp_path, data)
    assert refusal(path) == f"network.path={path} {message}"


def test_node_ids_are_words_numbered_in_order_of_first_appearance(tmp_path):
    """Integers and names alike; a BOM, comments, a third column, repeats and self-loops as before."""
    path = written(
        tmp_path,
        b"\xef\xbb\xbf# people\n7 alice 0.5\nalice 07  # a comment\n07 7\n7 alice\nbob bob\n",
    )
    graph = read_edgelist(str(path))
    assert list(graph.nodes) == [0, 1, 2, 3]  # 7, alice, 07, bob (bob only on a self-loop)
    assert sorted(graph.edges) == [(0, 1), (0, 2), (1, 2)]


def test_the_karate_club_is_read_from_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    graph = read_edgelist("data/networks/karate.edgelist")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (34, 78)


def test_a_checked_file_is_read_once_and_again_when_it_changes(tmp_path):
    path = written(tmp_path, b"0 1\n")
    _parse.cache_clear()
    check_edgelist(str(path))
    assert read_edgelist(str(path)).number_of_edges() == 1
    assert (_parse.cache_info().misses, _parse.cache_info().hits) == (1, 1)
    path.write_bytes(b"0 1\n1 2\n")
    assert read_edgelist(str(path)).number_of_edges() == 2


@pytest.mark.parametrize("kind", ["directory", "binary"])
def test_the_command_refuses_a_bad_edge_list_in_one_line_and_makes_no_run_folder(tmp_path, kind):
    """A binary file used to end in a UnicodeDecodeError traceback with the run folder left behind."""
    path = tmp_path / "nets" if kind == "directory" else tmp_path / "net.bin"
    path.mkdir() if kind == "directory" else path.write_bytes(b"\x00\x01\x02")
    problem = "is a directory" if kind == "directory" else "is binary (a NUL byte on line 1)"
    run_dir = tmp_path / "run"
    done = subprocess.run(
        [RECOVERY_SIM, "network=edgelist", f"network.path={path}", f"hydra.run.dir={run_dir}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    expected = f"recovery-sim: error: network.path={path} {problem}: {ALLOWED_EDGELIST}"
    assert done.stderr.splitlines() == [expected]
    assert not run_dir.exists()
