"""Edge-list files: refused in one line when the model cannot read them, and read once when it can.

A network may come from a file of node pairs. Config validation checks it (a
directory, a FIFO or a device, an unreadable or binary file, a malformed line,
no edge between two different nodes), so a bad file ends the command before
the run makes its folder; the parse is kept for the network builder.
"""

from __future__ import annotations

import codecs
import functools
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from sim.world.parameter import PROJECT_ROOT, ConfigError

if TYPE_CHECKING:
    import numpy as np

#: What an edge-list file may be, said after every refusal.
ALLOWED_EDGELIST = "allowed a readable edge-list text file (two node ids per line)"
#: Bytes read to tell text from binary before reading by lines: a binary file need not have a newline.
TEXT_PREFIX = 64 * 1024
_NEWLINE = b"\n"
_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}


def check_edgelist(path: str) -> Path:
    """The edge-list file ``path`` names, or a ConfigError that says in one line what is wrong with it.

    Config validation calls this (``sim.world.bounds.validate``), so a file the
    model cannot read ends the command before the run makes its folder: a
    directory, a FIFO or a device, an unreadable or binary file, a malformed
    line, or no edge between two different nodes. The parse is kept for
    ``sim.world.network.read_edgelist``, so a valid file is read once.
    """
    return load_edgelist(path)[0]


def load_edgelist(path: str) -> tuple[Path, int, np.ndarray, np.ndarray]:
    """The file (from the working directory or, failing that, the project root) and its parsed edges."""
    for file in (Path(path).expanduser(), PROJECT_ROOT / Path(path).expanduser()):
        try:
            info = os.stat(file)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as error:
            raise _refused(path, f"is unreadable ({error.strerror})") from None
        if stat.S_ISDIR(info.st_mode):
            raise _refused(path, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a socket or other special file")
            raise _refused(path, f"is not a regular file ({kind})")
        identity = (str(file), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        return (file, *_parse(path, identity))
    raise _refused(path, "does not exist")


@functools.lru_cache(maxsize=1)
def _parse(path: str, identity: tuple) -> tuple[int, np.ndarray, np.ndarray]:
    """Node count and edges (node numbers in order of first appearance, self-loops left out).

    Cached by the file's identity (name, inode, size, modification time): validation
    and the model read the same file moments apart. Two int64 arrays are 16 bytes
    an edge, a fraction of the graph networkx builds from them.
    """
    ids: dict[str, int] = {}
    u, v, lines = [], [], 0
    try:
        with open(identity[0], "rb") as handle:
            _as_text(path, handle.read(TEXT_PREFIX), prefix=True)
            handle.seek(0)
            for number, raw in enumerate(handle, start=1):
                text = _as_text(path, raw, line=number).split("#", 1)[0].strip()
                if not text:
                    continue
                parts = text.split()
                if len(parts) < 2:
                    raise _refused(path, f"line {number} is malformed", "allowed two node ids per line")
                lines += 1
                a = ids.setdefault(parts[0], len(ids))
                b = ids.setdefault(parts[1], len(ids))
                if a != b:
                    u.append(a)
                    v.append(b)
    except OSError as error:
        raise _refused(path, f"is unreadable ({error.strerror})") from None
    if not lines:
        raise _refused(path, "has no edges", "allowed one edge per line")
    if not u:
        raise _refused(
            path,
            "has no edges between two different nodes (only self-loops)",
            "allowed at least one line with two different node ids",
        )
    import numpy as np  # here, not at the top: --help and a refused input do not load NumPy

    return len(ids), np.array(u, dtype=np.int64), np.array(v, dtype=np.int64)


def _as_text(path: str, data: bytes, line: int = 1, prefix: bool = False) -> str:
    """``data`` as text, or a refusal naming the line of its first NUL byte or first byte not UTF-8.

    A NUL decodes as UTF-8 but is no text's; a prefix may end inside a character.
    """
    nul = data.find(b"\0")
    if nul >= 0:
        raise _refused(path, f"is binary (a NUL byte on line {line + data.count(_NEWLINE, 0, nul)})")
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data) if prefix else data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = line + data.count(_NEWLINE, 0, error.start)
        raise _refused(path, f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {where})") from None


def _refused(path: str, problem: str, allowed: str = ALLOWED_EDGELIST) -> ConfigError:
    return ConfigError(f"network.path={path} {problem}: {allowed}")
