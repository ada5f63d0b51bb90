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

from sim.world.parameter import ConfigError

PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
#: The file that makes a folder a study: its experiment, shared settings and cells (sim.studies.study).
STUDY_RECORD = "study.json"


@dataclass
class Owned:
    """A folder this process works in: whether it made the folder, and what was in it before."""

    path: Path
    made_here: bool
    there_before: frozenset[str] = frozenset()
    parents_made: tuple[Path, ...] = ()  # folders above it this process made, innermost first

    @classmethod
    def found(cls, path: Path) -> Owned:
        """A folder that existed: only what appears in it from now on is this process's."""
        return cls(path, made_here=False, there_before=frozenset(os.listdir(path)))

    def clean_up(self) -> None:
        """Undo what this process wrote: the whole folder if it made it, else only the entries it added."""
        if self.made_here:
            shutil.rmtree(self.path, ignore_errors=True)
            for parent in self.parents_made:  # results/<study>/ made for this folder alone
                try:
                    parent.rmdir()
                except OSError:
                    break  # another folder is in it now: it stays
            return
        if not self.path.is_dir():  # undone already (a run's own process cleans up as the command does)
            return
        for name in set(os.listdir(self.path)) - self.there_before:
            target = self.path / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)


def claim_new(wanted: Path) -> Owned:
    """A new folder at ``wanted``, or ``wanted-2``, ``wanted-3``... when another command took it first."""
    missing = [p for p in wanted.absolute().parents if not p.exists()]  # innermost first
    try:
        wanted.parent.mkdir(parents=True, exist_ok=True)
        for n in count(1):
            path = wanted if n == 1 else wanted.with_name(f"{wanted.name}-{n}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return Owned(path, made_here=True, parents_made=tuple(missing))
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
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{key}={path} is not writable: {allowed} this user can write in")
    return Owned.found(path)


def check_study_name(name: str) -> None:
    """A study's name becomes a folder under results/: a plain name, never a path."""
    if not PLAIN_NAME.fullmatch(name) or name in (".", ".."):
        raise ConfigError(
            f"study.name={name} is refused: allowed a plain name of letters, digits, '_', '.' and '-' "
            "(results go to results/<name>/)"
        )


class StudyLock:
    """One process at a time in an output folder: an exclusive lock on the folder itself, held until exit.

    The lock is on the folder (``flock`` on its descriptor), taken before the process writes
    anything there, so that of two commands that reach one folder at the same moment only one
    works in it, and the other removes nothing. A study's folder also gets ``.lock``, naming the
    holding process and a token of its session, so the study's workers can tell records this
    session made from those of an earlier one.
    """

    held: dict[Path, StudyLock] = {}

    def __init__(self, handle: int, token: str | None) -> None:
        self.handle, self.token = handle, token

    @classmethod
    def take(cls, folder: Path) -> StudyLock:
        """Lock ``folder`` for this process (again, if it holds it already), or refuse in one line."""
        folder = folder.resolve()
        if folder in cls.held:
            return cls.held[folder]
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            pid = _read(folder / ".lock").split()[:1]
            holder = f"process {pid[0]}" if pid else "another process"
            raise ConfigError(
                f"{folder} is being run by {holder}: allowed one recovery-sim at a time per "
                "folder (wait for it, or resume once it has stopped)"
            ) from None
        cls.held[folder] = lock = cls(handle, None)
        return lock

    def begin_session(self, folder: Path) -> str:
        """Write ``.lock``: this process and a fresh token of its session in the study folder."""
        self.token = uuid.uuid4().hex
        try:
            (folder / ".lock").write_text(f"{os.getpid()} {self.token}\n")
        except OSError as error:
            raise ConfigError(
                f"{folder}/.lock cannot be written ({error.strerror}): allowed a study folder this user "
                "can write in"
            ) from None
        return self.token


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return ""


def session_token(folder: Path) -> str | None:
    """The token of the session that holds (or last held) the study folder's lock."""
    try:
        parts = (folder / ".lock").read_text().split()
    except OSError:
        return None
    return parts[1] if len(parts) > 1 else None
