"""A study's tables are tidy (issue 22, point 5), and the README's DuckDB and pandas queries run on them.

The README's python block that reads a study's tables is run as it is written, in a folder
where the paths it names are two small studies; so is its inline query of single runs.
"""

from __future__ import annotations

import ast
import re
import shutil

import duckdb
import matplotlib
import pandas as pd
import pytest
from conftest import TINY, recovery_sim

from sim.studies.tidy import swept_table
from sim.world.parameter import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()
TABLES = ("runs.parquet", "weekly.parquet", "summary.csv", "paired.csv")


def readme_blocks() -> list[str]:
    """The README's python blocks that query tables with DuckDB or pandas."""
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    return [b for b in blocks if "duckdb" in b or "read_parquet" in b]


def shown(code: str, cwd) -> list:
    """Run ``code`` as a script in ``cwd``; return the value of each statement that is an expression."""
    namespace, values = {}, []
    for node in ast.parse(code).body:
        if isinstance(node, ast.Expr):
            values.append(eval(compile(ast.Expression(node.value), "README.md", "eval"), namespace))
        else:
            exec(compile(ast.Module([node], []), "README.md", "exec"), namespace)
    return values


def frame(value) -> pd.DataFrame | pd.Series | None:
    """What a query shows, as pandas: a DuckDB relation is run, a plot's axes give nothing."""
    if isinstance(value, duckdb.DuckDBPyRelation):
        return value.df()
    return value if isinstance(value, pd.DataFrame | pd.Series) else None


@pytest.fixture(scope="module")
def staffing(tmp_path_factory):
    """A tiny apology_timing with the team size as a second, numeric key: policy_apology x firm_staff."""
    cwd = tmp_path_factory.mktemp("staffing")
    sweep = cwd / "sweep"
    done = recovery_sim(
        cwd, "experiment=apology_timing", "firm.staff=1,2", "study.replications=2", *TINY,
        f"hydra.sweep.dir={sweep}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return sweep


@pytest.fixture
def folders(policy_grid, staffing, tmp_path, monkeypatch):
    """A working folder where the README's study paths are the two small studies."""
    studies = {"policy_grid": policy_grid[1], "apology_timing": staffing}
    for block in readme_blocks():
        for path in re.findall(r'"(results/[^"/]+/[^"]+)"', block):
            name = path.split("/")[1]
            assert name in studies, f"README names a study this test does not run: {path}"
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).symlink_to(studies[name], target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_swept_key_is_a_column_with_a_plain_name(policy_grid, staffing):
    grid = policy_grid[1]
    for name in TABLES:
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        table = read(grid / name)
        assert list(table.columns[table.columns.get_loc("cell") :][:3]) == ["cell", "policy", "delegation"]
        labels = table["cell"].str.extract(r"policy=(\S+) delegation=(\S+)")
        assert (labels[0] == table["policy"]).all() and (labels[1] == table["delegation"]).all(), name
    runs = pd.read_parquet(staffing / "runs.parquet")
    assert {"policy_apology", "firm_staff", "config_firm_staff"} <= set(runs.columns)
    assert runs["firm_staff"].dtype.kind == "i" and set(runs["firm_staff"]) == {1, 2}
    assert set(runs["policy_apology"]) == {"never", "severe_only", "always"}
    assert (runs["firm_staff"] == runs["config_firm_staff"]).all()  # the value the run had


def test_no_column_needs_quoting_in_duckdb(policy_grid, staffing):
    for sweep in (policy_grid[1], staffing):
        for name in TABLES:
            source = f"{'read_parquet' if name.endswith('.parquet') else 'read_csv'}('{sweep / name}')"
            columns = [r[0] for r in duckdb.sql(f"describe select * from {source}").fetchall()]
            assert len(columns) == len(set(columns)), name
            assert not [c for c in columns if not re.fullmatch(r"[a-z_][a-z0-9_]*", c)], name
            every = duckdb.sql(f"select {', '.join(columns)} from {source}").df()  # each column unquoted
            assert list(every.columns) == columns and len(every) > 0, name


def test_a_key_whose_name_a_run_already_uses_gets_cell_before_it():
    records = [
        {"cell": [f"seed={s}", f"+firm.staff={n}", "network=scale_free"]} for s in (1, 2) for n in (1, 2)
    ]
    table = swept_table(records, taken={"seed", "weeks", "cell"})
    assert list(table.columns) == ["cell_seed", "firm_staff", "network"]
    assert table.index.name == "cell" and table.loc["seed=2 +firm.staff=1 network=scale_free"].tolist() == [
        2,
        1,
        "scale_free",
    ]
    assert table["cell_seed"].dtype.kind == "i" and table["network"].dtype.kind in "OT"


def test_the_readme_queries_run_on_a_study(folders):
    """Every DuckDB or pandas query the README shows, as written, gives rows that make sense."""
    matplotlib.use("Agg")
    blocks = readme_blocks()
    assert blocks, "the README shows no query of a study's tables"
    results = [frame(value) for block in blocks for value in shown(block, folders)]
    results = [r for r in results if r is not None]
    assert len(results) >= 3
    for result in results:
        assert len(result) > 0 and not result.isna().all().all()
    by_policy = results[0]
    assert set(by_policy["policy"]) == {"none", "apology", "compensation", "apology_compensation"}
    assert sorted(set(by_policy["week"])) == list(range(5))  # TINY: weeks 0 to 4
    import matplotlib.pyplot as plt

    plt.close("all")


def test_the_readme_query_of_single_runs_runs(policy_grid, tmp_path, monkeypatch):
    """The README's one-line query of results/runs/*/timeseries.parquet, on two runs' weeks."""
    [query] = re.findall(r"`(duckdb\.sql\(.*?\))`", README)
    for i, path in enumerate(sorted((policy_grid[1] / "runs").glob("*.parquet"))[:2]):
        (tmp_path / "results" / "runs" / f"run{i}").mkdir(parents=True)
        shutil.copy(path, tmp_path / "results" / "runs" / f"run{i}" / "timeseries.parquet")
    monkeypatch.chdir(tmp_path)
    assert len(eval(query, {"duckdb": duckdb}).df()) == 2 * 5
