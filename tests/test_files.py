"""Result files: Parquet written by sim.files is byte for byte what pandas writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.files import PANDAS_METADATA, write_columns, write_table

ROWS = 105


def numbers() -> pd.DataFrame:
    """A run's weekly table in miniature: integers, floats with NaN (a week with no complaints), flags."""
    rng = np.random.default_rng(7)
    rates = rng.random(ROWS)
    rates[::9] = np.nan
    return pd.DataFrame(
        {
            "week": np.arange(ROWS),
            "active_customers": rng.integers(0, 10_000, ROWS),
            "complaint_rate": rates,
            "small": rng.integers(0, 9, ROWS).astype(np.int32),
            "unsigned": rng.integers(0, 9, ROWS).astype(np.uint16),
            "share": rng.random(ROWS).astype(np.float32),
            "open": rng.random(ROWS) < 0.5,
        }
    )


FRAMES = {
    "numbers": numbers,
    "numbers with another index": lambda: numbers().set_index(np.arange(ROWS) * 3),
    "text beside numbers": lambda: numbers().assign(cell="policy=none delegation=full"),
    "categories": lambda: numbers().assign(kind=pd.Categorical(["a", "b", "c"] * 35)),
    "with attrs": lambda: numbers().pipe(lambda f: f.attrs.update(source="test") or f),
    "no rows": lambda: numbers().head(0),
    "no columns": pd.DataFrame,
}


@pytest.mark.parametrize("name", list(FRAMES))
def test_parquet_has_the_bytes_pandas_writes(name, tmp_path):
    frame = FRAMES[name]()
    ours = write_table(tmp_path / "ours.parquet", frame)
    frame.to_parquet(tmp_path / "pandas.parquet", index=False)
    assert ours.read_bytes() == (tmp_path / "pandas.parquet").read_bytes()
    if len(frame.columns):
        pd.testing.assert_frame_equal(pd.read_parquet(ours), frame.reset_index(drop=True))


def test_the_metadata_of_one_layout_serves_another_frame_of_it(tmp_path):
    """The second frame of a layout reuses the first one's description, and its bytes still match."""
    first, second = numbers(), numbers().assign(complaint_rate=np.nan, week=lambda f: f["week"] + 1)
    write_table(tmp_path / "first.parquet", first)
    described = len(PANDAS_METADATA)
    write_table(tmp_path / "second.parquet", second)
    second.to_parquet(tmp_path / "pandas.parquet", index=False)
    assert described > 0 and len(PANDAS_METADATA) == described
    assert (tmp_path / "second.parquet").read_bytes() == (tmp_path / "pandas.parquet").read_bytes()


@pytest.mark.parametrize("name", ["numbers", "no rows"])
def test_columns_are_written_as_pandas_writes_their_frame(name, tmp_path):
    """A study's run writes its weeks from NumPy columns, without a DataFrame."""
    frame = FRAMES[name]()
    columns = {column: values.to_numpy() for column, values in frame.items()}
    ours = write_columns(tmp_path / "ours.parquet", columns)
    frame.to_parquet(tmp_path / "pandas.parquet", index=False)
    assert ours.read_bytes() == (tmp_path / "pandas.parquet").read_bytes()
