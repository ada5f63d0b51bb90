"""argparse for the project's small commands, with the one-line errors recovery-sim gives."""

from __future__ import annotations

import argparse
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line, as ``recovery-sim``'s are: no usage block (``-h`` shows it)."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` on stderr and exit 2, as argparse does, without the usage."""
        self.exit(2, f"{self.prog}: error: {message}\n")
