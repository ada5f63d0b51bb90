"""EMA Workbench 3 on recovery-sim: a small experiment, then scenario discovery with PRIM (docs/ema.md).

Run it with `python docs/examples/ema_example.py` after `pip install -e ".[ema]"` (`make setup`
installs the extra); it takes a few seconds. tests/test_ema.py runs this file as it is.
"""

import numpy as np
from ema_workbench import (
    CategoricalParameter,
    Constant,
    Model,
    RealParameter,
    Sample,
    ScalarOutcome,
    perform_experiments,
)
from ema_workbench.analysis import prim

import sim
from sim.connect import key_of

# The model is sim.outcomes: flat keywords in (a key of sim.parameters() with "__" for each
# dot), a dict of numbers out.
model = Model("recovery", function=sim.outcomes)

# What the firm does not control: how often purchases fail (x every type's default rate), how
# readily customers complain (logit at severity 0, default -5.8), how many people hear a bad story.
model.uncertainties = [
    RealParameter("failures__rate_multiplier", 0.5, 2.0),
    RealParameter("complaints__intercept", -6.8, -4.8),
    RealParameter("wom__negative_reach", 5.0, 20.0),
]
# What it controls: the recovery policy and the frontline's authority, presets of configs/.
# EMA's results already have a column called "policy", so that lever gets another name and
# variable_name hands it to sim.outcomes as policy=...
model.levers = [
    CategoricalParameter("recovery_policy", ["none", "apology_compensation"], variable_name="policy"),
    CategoricalParameter("delegation", ["none", "full"]),
]
# A small market for a year, one seed for all: the experiments differ by their parameters, not by luck.
model.constants = [Constant("market__customers", 1000), Constant("weeks", 52), Constant("seed", 1)]
model.outcomes = [ScalarOutcome(name) for name in ("profit", "churn_rate", "recovery_satisfaction")]

# Every range lies within what the model accepts (sim.parameters(): default, low, high, unit, source).
table = sim.parameters()
for parameter in model.uncertainties:
    row = table.loc[key_of(parameter.name)]
    assert row.low <= parameter.lower_bound < parameter.upper_bound <= row.high, parameter.name

# Two policies x 50 scenarios (Latin hypercube, seeded) = 100 runs.
policies = [
    Sample("do_little", recovery_policy="none", delegation="none"),
    Sample("make_good", recovery_policy="apology_compensation", delegation="full"),
]
experiments, outcomes = perform_experiments(
    model, scenarios=50, policies=policies, uncertainty_sampling_kwargs={"rng": 42}
)
results = experiments.assign(**outcomes)
print(results.groupby("policy", observed=True)[["profit", "churn_rate", "recovery_satisfaction"]].median())
profit = results.pivot_table(index="scenario", columns="policy", values="profit", observed=True)
losing = (profit.make_good < profit.do_little).mean()
print(f"make_good earns less than do_little in {losing:.0%} of scenarios")

# Scenario discovery: which uncertainties and levers put profit below its median?
x = experiments[[parameter.name for parameter in (*model.uncertainties, *model.levers)]]
y = outcomes["profit"] < np.median(outcomes["profit"])
box = prim.Prim(x, y).find_box()
box.inspect()
