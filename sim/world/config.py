"""Making a SimConfig: from Hydra's composition, a dict of overrides, presets and dotted keys.

Every route ends in :func:`sim.world.bounds.validate`, and every problem, OmegaConf's
included, becomes a :class:`sim.world.parameter.ConfigError` with one line, so a
caller from Python gets the command line's message.
"""

from __future__ import annotations

import dataclasses
import enum
import numbers
import typing
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from sim.world.bounds import type_hints, validate
from sim.world.parameter import (
    PROJECT_ROOT,
    ConfigError,
)
from sim.world.schema import (
    SimConfig,
)


def reject_unknown_keys(node: Any, prefix: str = "") -> None:
    """Refuse keys the schema does not know (Hydra's ``+key=value`` slips past the schema)."""
    if not isinstance(node, DictConfig):
        return
    schema = OmegaConf.get_type(node)
    if dataclasses.is_dataclass(schema):
        allowed = {f.name for f in dataclasses.fields(schema)}
        for key in node:
            if key not in allowed:
                raise unknown_key(f"{prefix}{key}", schema)
    for key in node:
        reject_unknown_keys(node._get_node(key), f"{prefix}{key}.")


def unknown_key(full_key: str, schema: type) -> ConfigError:
    """The error for a key its section's dataclass lacks, naming the keys it has."""
    allowed = ", ".join(sorted(f.name for f in dataclasses.fields(schema)))
    return ConfigError(f"{full_key} is not a parameter: allowed {allowed}")


def preset_path(group: str, name: str) -> Path:
    """configs/<group>/<name>.yaml, or a ConfigError naming the presets the group has."""
    folder = PROJECT_ROOT / "configs" / group
    if "/" in group or group.startswith(".") or not folder.is_dir():
        groups = sorted(p.name for p in folder.parent.iterdir() if p.is_dir() and p.name != "experiment")
        raise ConfigError(f"{group} is not a preset group: allowed {', '.join(groups)}")
    path = folder / f"{name}.yaml"
    if "/" in name or name.startswith(".") or not path.is_file():
        allowed = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise ConfigError(f"{group}={name} does not exist: allowed {allowed}")
    return path


def preset(group: str, name: str) -> dict:
    """A preset's values from configs/<group>/<name>.yaml (e.g. policy/apology), without its defaults list."""
    values = OmegaConf.to_container(OmegaConf.load(preset_path(group, name)))
    values.pop("defaults", None)
    return values


def with_values(cfg: SimConfig, presets: dict[str, str] | None = None, **dotted: Any) -> SimConfig:
    """A copy of ``cfg`` with presets applied (``{"policy": "apology"}``), then dotted keys set.

    ``with_values(cfg, {"delegation": "full"}, **{"policy.compensation": 1.2})``
    """
    return _compose(cfg, presets or {}, None, dotted)


def _compose(cfg: SimConfig, presets: dict[str, str], tree: dict | None, dotted: dict[str, Any]) -> SimConfig:
    """``cfg``, presets, a nested dict (which may add failure types), dotted keys: validated once."""
    try:
        conf = OmegaConf.structured(cfg)
        for group, name in presets.items():
            conf = OmegaConf.merge(conf, {group: preset(group, name)})
        if tree:
            conf = OmegaConf.merge(conf, plain(tree))
        for key, value in dotted.items():
            if OmegaConf.select(conf, key, default=KeyError) is KeyError:
                raise _missing_key(conf, key)
            OmegaConf.update(conf, key, plain(value), merge=False)
    except OmegaConfBaseException as error:
        raise omegaconf_problem(error) from None
    return to_sim_config(conf)


def _missing_key(conf: DictConfig, key: str) -> ConfigError:
    """A dotted key the config lacks, with the keys of the deepest section that exists."""
    section, node = key, None
    while "." in section and not isinstance(node, DictConfig):
        section = section.rsplit(".", 1)[0]
        node = OmegaConf.select(conf, section, default=None)
    schema = OmegaConf.get_type(node if isinstance(node, DictConfig) else conf)
    if dataclasses.is_dataclass(schema):
        return unknown_key(key, schema)
    allowed = ", ".join(sorted(str(k) for k in (node if isinstance(node, DictConfig) else conf)))
    return ConfigError(f"{key} is not a parameter: allowed {allowed}")


def omegaconf_problem(error: OmegaConfBaseException) -> ConfigError:
    """OmegaConf's error as the one line every bad configuration gets, from Python as from the CLI."""
    if isinstance(error, ConfigAttributeError | ConfigKeyError) and dataclasses.is_dataclass(
        error.object_type
    ):
        return unknown_key(error.full_key, error.object_type)
    why = (str(error).strip().splitlines() or [type(error).__name__])[0]
    key = getattr(error, "full_key", None)
    return ConfigError(f"{key} is refused: {why}" if key else why)


def to_sim_config(cfg: DictConfig | SimConfig | dict | None = None) -> SimConfig:
    """Turn a Hydra config, a nested dict of overrides or None into a validated SimConfig."""
    if cfg is None:
        cfg = SimConfig()
    if isinstance(cfg, dict):
        return configure(cfg)
    try:
        if isinstance(cfg, DictConfig):
            reject_unknown_keys(cfg)
            cfg = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as error:
        raise omegaconf_problem(error) from None
    if not isinstance(cfg, SimConfig):
        raise ConfigError(f"config of type {type(cfg).__name__}: allowed SimConfig, dict or None")
    return validate(cfg)


def plain(value: Any) -> Any:
    """NumPy scalars (from ``np.linspace`` or a sampler) as the Python numbers OmegaConf accepts."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value.item() if hasattr(value, "item") and type(value).__module__ == "numpy" else value


def checked_seed(value: Any, name: str = "rng") -> int:
    """A seed given beside a config (``sim.run(rng=7)``): a whole number in range, never truncated."""
    seed = next(f for f in dataclasses.fields(SimConfig) if f.name == "seed").metadata
    lo, hi = seed["lo"], seed["hi"]
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{name}={value!r} is refused: allowed an integer from {lo} to {hi}")
    return int(value)


#: Groups with presets in configs/: ``sim.run(policy="apology")`` picks one, as the CLI's policy=apology does.
PRESET_GROUPS = ("policy", "delegation", "network", "channels")


def configure(config: SimConfig | dict | None = None, **overrides: Any) -> SimConfig:
    """A validated SimConfig from what the command line takes, in Python.

    ``configure(policy="apology", delegation="full", seed=7, **{"market.customers": 5000})``:
    a preset name per group is applied first (as Hydra applies a group's choice), then the
    nested dict ``config`` (which may add failure types), then sections given as dicts
    (``market={"customers": 5000}``) and dotted keys, key by key. A section's ``name`` set to
    a preset's name without that preset's values is refused: it would run one policy under
    another's label.
    """
    presets = {k: v for k, v in overrides.items() if k in PRESET_GROUPS and isinstance(v, str)}
    dotted: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in presets:
            dotted.update(flatten(value, key) if isinstance(value, dict) else {key: value})
    tree = config if isinstance(config, dict) else None
    made = _compose(config if isinstance(config, SimConfig) else SimConfig(), presets, tree, dotted)
    named = {**flatten(tree or {}), **dotted}
    for group in PRESET_GROUPS:
        name = named.get(f"{group}.name")
        if not isinstance(name, str) or not (PROJECT_ROOT / "configs" / group / f"{name}.yaml").is_file():
            continue
        section = flatten(config_dict(made)[group])
        if any(section.get(key) != value for key, value in flatten(preset(group, name)).items()):
            raise ConfigError(
                f"{group}.name={name} labels the {group} without its preset's values: allowed "
                f"{group}='{name}' (the preset, then any values of your own), or a name that is not a preset"
            )
    return made


def flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    """{"market": {"customers": 5}} -> {"market.customers": 5} (an empty mapping stays a leaf)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out.update(flatten(value, path) if isinstance(value, dict) and value else {path: value})
    return out


def from_hydra(cfg: DictConfig, choices: dict) -> SimConfig:
    """A config Hydra composed, validated, with its experiment checked.

    The experiment is optional in the defaults list, so Hydra runs the default world for one it
    cannot find.
    """
    if choices.get("experiment") is not None:
        preset_path("experiment", choices["experiment"])
    return to_sim_config(cfg)


def config_dict(cfg: SimConfig) -> dict:
    """The resolved config as plain JSON-ready data (enums as their names), as OmegaConf would give it.

    Walked over the dataclasses: OmegaConf's round trip (``to_container(structured(cfg))``) took
    about 20 ms a config, more than a small run, and a study made one per cell in its checks and
    again in each job. A whole number in a field typed float comes out a float, as OmegaConf makes
    it, so a run's id and summary are the same by either route (tested against OmegaConf's).
    """
    return _plain(cfg, SimConfig)


def _plain(value: Any, hint: Any) -> Any:
    """One value of a config as JSON-ready data, by its declared type ``hint``."""
    if dataclasses.is_dataclass(value):
        hints = type_hints(type(value))
        return {f.name: _plain(getattr(value, f.name), hints[f.name]) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.name
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if isinstance(value, dict):
        item = args[1] if len(args) == 2 else Any
        return {key: _plain(v, item) for key, v in value.items()}
    if isinstance(value, list | tuple):
        item = args[0] if len(args) == 1 else Any
        return [_plain(v, item) for v in value]
    if (hint is float or float in args) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
