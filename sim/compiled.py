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

PACKAGE = Path(__file__).parent
CACHE = PACKAGE / "__pycache__"  # where numba caches a package it can write to
STAMP = CACHE / "compiled-from.sha256"


def sources_digest() -> str:
    """SHA-256 of the package's modules (the compiled loops are all in its top level), names included."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def forget_stale_loops() -> None:
    """Delete the cached loops if they were compiled from other sources than these."""
    digest = sources_digest()
    try:
        if STAMP.read_text() == digest:
            return
    except OSError:
        pass  # no stamp yet: the cache, if any, is of unknown origin
    for cached in [*CACHE.glob("*.nbi"), *CACHE.glob("*.nbc")]:
        cached.unlink(missing_ok=True)
    try:
        CACHE.mkdir(exist_ok=True)
        STAMP.write_text(digest)
    except OSError:
        pass  # a read-only install: numba does not cache here either
