"""Output folders a command owns: made new by it, locked while it works, and never one it did not make.

A refused run once removed its whole run folder, whoever had made it
(``hydra.run.dir=.`` removed the working directory), and two runs started in
the same second shared one folder. Here a command either claims a folder that
did not exist (an atomic ``mkdir``, so two commands never get the same one),
or takes one the user named, which must be empty (or, for a study, a study
folder of the same study to resume). Cleaning up after a refusal removes only
what this process made.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import IO

from sim.world.parameter import ConfigError

PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass
class Owned:
    """A folder this process works in: whether it made the folder, and what was in it before."""

    path: Path
    made_here: bool
    there_before: frozenset[str] = frozenset()

    @classmethod
    def found(cls, path: Path) -> Owned:
        """A folder that existed: only what appears in it from now on is this process's."""
        return cls(path, made_here=False, there_before=frozenset(os.listdir(path)))

    def clean_up(self) -> None:
        """Undo what this process wrote: the whole folder if it made it, else only the entries it added."""
        if self.made_here:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        for name in set(os.listdir(self.path)) - self.there_before:
            target = self.path / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)


def claim_new(wanted: Path) -> Owned:
    """A new folder at ``wanted``, or ``wanted-2``, ``wanted-3``... when another command took it first."""
    try:
        wanted.parent.mkdir(parents=True, exist_ok=True)
        for n in count(1):
            path = wanted if n == 1 else wanted.with_name(f"{wanted.name}-{n}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return Owned(path, made_here=True)
    except OSError as error:
        raise ConfigError(
            f"{wanted} cannot be made ({error.strerror}): allowed a folder this user can create"
        ) from None
    raise AssertionError("unreachable")


def take_named(path: Path, key: str, allowed: str = "allowed a new or empty folder") -> Owned:
    """The folder the user named with ``key``: made if missing, taken if empty, refused otherwise."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{key}={path} is not a folder: {allowed}")
    if not path.exists():
        try:
            path.mkdir(parents=True)
        except OSError as error:
            raise ConfigError(f"{key}={path} cannot be made ({error.strerror}): {allowed}") from None
        return Owned(path, made_here=True)
    if any(path.iterdir()):
        raise ConfigError(
            f"{key}={path} is not empty: {allowed} (a command never writes among files it did not make)"
        )
    return Owned.found(path)


def check_study_name(name: str) -> None:
    """A study's name becomes a folder under results/: a plain name, never a path."""
    if not PLAIN_NAME.fullmatch(name) or name in (".", ".."):
        raise ConfigError(
            f"study.name={name} is refused: allowed a plain name of letters, digits, '_', '.' and '-' "
            "(results go to results/<name>/)"
        )


class StudyLock:
    """One process at a time in a study folder: an exclusive lock on ``.lock``, held until the process ends.

    The file also holds a token of this process's session, so the study's workers can tell
    records this session made from those of an earlier one.
    """

    held: dict[Path, StudyLock] = {}

    def __init__(self, handle: IO[str], token: str) -> None:
        self.handle, self.token = handle, token

    @classmethod
    def take(cls, folder: Path) -> StudyLock:
        """Lock ``folder`` for this process (again, if it holds it already), or refuse in one line."""
        folder = folder.resolve()
        if folder in cls.held:
            return cls.held[folder]
        handle = (folder / ".lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().split() or ["another process"]
            handle.close()
            raise ConfigError(
                f"{folder} is being run by process {holder[0]}: allowed one recovery-sim at a time per study "
                "folder (wait for it, or resume once it has stopped)"
            ) from None
        token = uuid.uuid4().hex
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {token}\n")
        handle.flush()
        cls.held[folder] = lock = cls(handle, token)
        return lock


def session_token(folder: Path) -> str | None:
    """The token of the session that holds (or last held) the study folder's lock."""
    try:
        parts = (folder / ".lock").read_text().split()
    except OSError:
        return None
    return parts[1] if len(parts) > 1 else None
