"""Numba's disk cache of the compiled loops, emptied whenever one of the package's sources changes.

Numba keys a cached loop by the time stamp of its own file, but a loop
inlines the rules it calls from other files (shopping.py's pass compiles in
purchase.py's basket). After an edit or a ``git pull`` that touches only a
rule, the old machine code would go on running with the old rule. A digest
of the sources, kept beside the cache, catches that: when it differs, the
cache is emptied and the loops are compiled again (about 2 s, once).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # sim/, whose layers hold the compiled loops
STAMP = PACKAGE / "__pycache__" / "compiled-from.sha256"


def sources_digest() -> str:
    """SHA-256 of the package's modules, in every layer, their paths included."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def forget_stale_loops() -> None:
    """Delete the cached loops if they were compiled from other sources than these."""
    digest = sources_digest()
    try:
        if STAMP.read_text() == digest:
            return
    except OSError:
        pass  # no stamp yet: the cache, if any, is of unknown origin
    for cached in [*PACKAGE.rglob("__pycache__/*.nbi"), *PACKAGE.rglob("__pycache__/*.nbc")]:
        cached.unlink(missing_ok=True)  # numba caches each module's loops in its own folder's __pycache__
    try:
        STAMP.parent.mkdir(exist_ok=True)
        STAMP.write_text(digest)
    except OSError:
        pass  # a read-only install: numba does not cache here either
