"""Configs: Hydra's tree agrees with the dataclass defaults; bad values fail with one clear line."""

from __future__ import annotations

import pytest
from hydra.errors import ConfigCompositionException

from sim.world.config import config_dict, to_sim_config
from sim.world.parameter import PROJECT_ROOT, ConfigError
from sim.world.schema import SimConfig


def test_hydra_defaults_equal_the_dataclass_defaults(hydra_compose):
    assert config_dict(to_sim_config(hydra_compose())) == config_dict(SimConfig())


@pytest.mark.parametrize("group", ["policy", "delegation", "network", "channels"])
def test_every_preset_composes_and_validates(hydra_compose, group):
    for path in sorted((PROJECT_ROOT / "configs" / group).glob("*.yaml")):
        cfg = to_sim_config(hydra_compose([f"{group}={path.stem}"]))
        if group != "network":
            assert getattr(cfg, group).name == path.stem


def test_the_channels_study_composes_a_cell_of_each_preset_policy_and_authority(hydra_compose):
    for cell in ("channels=omnichannel", "channels=social_first"):
        cfg = to_sim_config(hydra_compose(["experiment=channels", cell, "policy=apology", "delegation=full"]))
        assert (cfg.study.name, cfg.study.baseline, cfg.study.within) == (
            "channels",
            ["channels=phone_only"],
            ["policy", "delegation"],
        )
        assert cfg.channels.name == cell.split("=")[1] and cfg.channels.social.offered


def test_policy_presets_say_what_their_names_say(hydra_compose):
    expected = {
        "none": ("never", 0.0),
        "apology": ("always", 0.0),
        "compensation": ("never", 1.0),
        "apology_compensation": ("always", 1.0),
    }
    for name, (apology, share) in expected.items():
        policy = to_sim_config(hydra_compose([f"policy={name}"])).policy
        assert (policy.apology.value, policy.compensation) == (apology, share)


def test_misspelt_key_is_refused_by_the_schema(hydra_compose):
    with pytest.raises(ConfigCompositionException) as info:
        hydra_compose(["policy.compensaton=1.0"])
    assert "compensaton" in f"{info.value} {info.value.__cause__}"


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"market": {"customers": -5}}, "market.customers=-5"),
        ({"weeks": 0}, "weeks=0"),
        ({"policy": {"compensation": -0.1}}, "policy.compensation=-0.1"),
        ({"policy": {"compensation": 2.5}}, "policy.compensation=2.5"),
        ({"firm": {"policy_consistency": 1.5}}, "firm.policy_consistency=1.5"),
        (
            {"failures": {"catalogue": {"late_delivery": {"frequency": 1.2}}}},
            "failures.catalogue.late_delivery.frequency",
        ),
        ({"churn": {"repurchase_minor": [0.3, 0.4]}}, "churn.repurchase_minor"),
        ({"network": {"kind": "edgelist", "path": "no/such/file.txt"}}, "network.path=no/such/file.txt"),
        ({"network": {"kind": "edgelist", "path": None}}, "network.path"),
    ],
)
def test_out_of_range_values_name_the_key_and_what_is_allowed(overrides, key):
    with pytest.raises(ConfigError) as info:
        to_sim_config(overrides)
    message = str(info.value)
    assert key in message
    assert "allowed" in message or "must" in message
    assert "\n" not in message


def test_keys_added_with_plus_are_refused(hydra_compose):
    with pytest.raises(ConfigError, match=r"^firm.generosity is not a parameter: allowed "):
        to_sim_config(hydra_compose(["+firm.generosity=2"]))


def test_a_new_failure_type_is_a_catalogue_entry():
    """New types come from a config file or a dict (Hydra cannot add typed entries from the command line)."""
    cfg = to_sim_config({"failures": {"catalogue": {"lost_parcel": {"frequency": 0.01, "severity": 0.5}}}})
    assert list(cfg.failures.catalogue)[-1] == "lost_parcel"
    assert cfg.failures.catalogue["lost_parcel"].loss_share == 0.2  # unset fields take the schema default


def test_failure_frequencies_above_one_are_refused():
    with pytest.raises(ConfigError, match="sum to"):
        to_sim_config(
            {"failures": {"catalogue": {"late_delivery": {"frequency": 0.6}}, "rate_multiplier": 2.0}}
        )


def test_malformed_edgelist_is_refused_with_its_line(tmp_path):
    from sim.model import RecoveryModel

    bad = tmp_path / "bad.edgelist"
    bad.write_text("# a comment\n0 1\n2\n")
    with pytest.raises(ConfigError, match="line 3"):
        RecoveryModel({"network": {"kind": "edgelist", "path": str(bad)}})


def test_odd_parameter_table_is_current():
    """docs/ODD.md embeds the generated table (`python -m sim.world.params --write docs/ODD.md`)."""
    from sim.world.params import END, START, table

    text = (PROJECT_ROOT / "docs" / "ODD.md").read_text()
    assert text.split(START, 1)[1].split(END, 1)[0].strip() == table()


def test_every_parameter_says_what_it_means_and_in_which_unit():
    from sim.world.params import rows

    for key, _, _, unit, meaning, source in rows(SimConfig()):
        assert meaning and unit and source, key


def omegaconf_round_trip(cfg: SimConfig) -> dict:
    """What config_dict gave before it walked the dataclasses itself: OmegaConf's conversion."""
    from omegaconf import OmegaConf

    return OmegaConf.to_container(OmegaConf.structured(cfg), enum_to_str=True)


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["experiment=policy_grid", "policy=apology", "delegation=full"],
        ["experiment=channels", "channels=omnichannel", "policy=apology_compensation"],
        ["experiment=calibrate"],
        ["experiment=sensitivity"],
        ["experiment=robustness", "network=scale_free"],
        ["network=powerlaw_cluster", "channels=social_first", "firm.staff=3"],
    ],
)
def test_config_dict_is_omegaconfs_conversion(hydra_compose, overrides):
    """A run's id and summary hold config_dict: it must be OmegaConf's data, JSON byte for byte."""
    import json

    cfg = to_sim_config(hydra_compose(overrides))
    assert json.dumps(config_dict(cfg)) == json.dumps(omegaconf_round_trip(cfg))


def test_config_dict_makes_whole_numbers_floats_where_the_schema_says_float():
    """A SimConfig built in Python may hold an int in a float field; OmegaConf printed it as 2.0."""
    import dataclasses
    import json

    base = SimConfig()
    cfg = dataclasses.replace(
        base,
        seed=7,
        policy=dataclasses.replace(base.policy, compensation=2),
        market=dataclasses.replace(base.market, gross_margin=1),
        firm=dataclasses.replace(base.firm, staff=4),
    )
    data = config_dict(cfg)
    assert json.dumps(data) == json.dumps(omegaconf_round_trip(cfg))
    assert isinstance(data["policy"]["compensation"], float) and isinstance(data["firm"]["staff"], int)
