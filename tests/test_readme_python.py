"""The README's "From Python" block runs as written: the researcher's path, presets and NumPy values."""

from __future__ import annotations

import re

import matplotlib
import numpy as np

from sim.world.parameter import PROJECT_ROOT

matplotlib.use("Agg")


def readme_block() -> str:
    """The first python block under the README's "From Python" heading."""
    text = (PROJECT_ROOT / "README.md").read_text().split("## From Python", 1)[1]
    return re.search(r"```python\n(.*?)```", text, flags=re.DOTALL).group(1)


def test_the_readme_python_block_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # it saves "my_run" where it stands
    namespace: dict = {}
    exec(compile(readme_block(), "README.md", "exec"), namespace)
    assert (tmp_path / "my_run" / "summary.json").exists()
    assert namespace["full"].summary["customers_initial"] == 5000
    assert namespace["full"].summary["config"]["policy"]["name"] == "apology"
    assert namespace["both"].summary["seed"] == namespace["result"].summary["seed"] == 42
    profits = namespace["profits"]
    assert len(profits) == 4 and all(isinstance(rate, np.floating) for rate in profits)
    assert profits[0.5] > profits[2.0]  # four times the failures costs profit
    assert namespace["low"] <= 0.5 and namespace["high"] >= 2.0
    assert isinstance(namespace["flat"]["profit"], float) and namespace["flat"]["customers_initial"] == 2000
