"""Command-line overrides Hydra cannot read, or would let write elsewhere: refused in one line.

Hydra's own reports run to several lines (or a traceback); these name the
override and what is allowed, like every other refusal of ``recovery-sim``.
"""

from __future__ import annotations

import dataclasses

from hydra.errors import ConfigCompositionException, MissingConfigException, OverrideParseException
from omegaconf.errors import ConfigAttributeError, ConfigKeyError

from sim.world.config import preset_path, unknown_key
from sim.world.parameter import ConfigError

UNREADABLE = (
    "allowed key=value, with a key of ASCII letters, digits, '_' and '.' (quote other values: key='...')"
)


#: Hydra keys that place files (the job's own config, each job's folder): recovery-sim keeps them inside
#: the folder it claimed, so they cannot point at someone else's files.
PLACED_BY_US = (
    "hydra.output_subdir",
    "hydra.sweep.subdir",
    "hydra.job.chdir",
    "hydra.job.name",
    "hydra.runtime",
)


def unreadable_override(arguments: list[str]) -> str | None:
    """An override Hydra meets with a traceback (no key: ``=5``), or one that would write elsewhere."""
    for argument in arguments:
        if argument.startswith("-") or "=" not in argument:
            continue
        key = argument.split("=", 1)[0].lstrip("+~")
        if not key:
            return f"{argument} cannot be read: {UNREADABLE}"
        if key.startswith(PLACED_BY_US):
            return (
                f"{key} is set by recovery-sim: allowed hydra.run.dir and hydra.sweep.dir to choose where "
                "results go"
            )
    return None


def composition_error(error: ConfigCompositionException | OverrideParseException) -> str:
    """Hydra's error as one line that names the override and what is allowed."""
    if isinstance(error, OverrideParseException):
        if "LexerNoViableAlt" in error.message or not error.override.isascii():
            return f"{error.override} cannot be read: {UNREADABLE}"
        return f"{error.override} cannot be read: {error.message.splitlines()[0]}"
    if str(error).startswith("Ambiguous value for argument"):
        override = str(error).split("'", 2)[1]
        key, _, values = override.partition("=")
        return (
            f"{override} is ambiguous: allowed a sweep with -m, a list as {key}=[{values}], "
            f"or a text quoted as {key}='{values}'"
        )
    if isinstance(error, MissingConfigException) and (error.missing_cfg_file or "").count("/") == 1:
        try:
            preset_path(*error.missing_cfg_file.split("/"))
        except ConfigError as refused:
            return str(refused)
    cause = error.__cause__
    misspelt = isinstance(cause, ConfigAttributeError | ConfigKeyError)
    if misspelt and dataclasses.is_dataclass(cause.object_type):
        return str(unknown_key(cause.full_key, cause.object_type))
    what = next(iter(str(error).splitlines()), type(error).__name__).removeprefix("Error merging override ")
    what = what.rstrip(".")
    if cause is None:
        return what
    why = next(iter(str(cause).splitlines()), type(cause).__name__)
    return f"{what} is refused: {why}"
