"""Will a market fit in this machine's memory? Refuse before building it, not after minutes of work.

A market too large for the machine used to run for minutes, then die of
MemoryError (or be killed by the kernel) after its run folder was made. The
estimate below is linear in the people on the network and their ties, with
coefficients from the peak resident memory of ``recovery-sim ... weeks=4``
(``/usr/bin/time``) on the development machine, measured again on 2026-11-30
after the networks were built in compiled code (issue 24):

- one customer: 0.22 GB, the process itself (Python, NumPy, numba's loops, Hydra);
- 200,000 customers (400,000 people), degree 10: 0.45 GB; degree 40: 0.63 GB;
- 1,000,000 customers (2,000,000 people), degree 10: 0.91 GB; degree 40: 2.11 GB;
- 10,000,000 customers, degree 10, all 104 weeks with every file (bench_10m.py): 6.76 GB;
  so about 150 bytes a person plus 20 bytes a person per unit of degree (25 is used);
- 500,000 customers with Mesa agents (from Python: the command builds none): 2.94 GB,
  so an agent and its cell add about 2.2 KB a person (2.5 KB is used).

The estimate leans high, by 10-30% over those peaks: a run refused here can
still be forced with ``check_memory=false``.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.world.parameter import ConfigError, NetworkKind
from sim.world.schema import SimConfig

PROCESS_BYTES = 0.35e9
PERSON_BYTES = 150.0
TIE_BYTES = 25.0
AGENT_BYTES = 2500.0
#: The share of the machine's memory a run may plan to use: the rest is the system's and other programs'.
USABLE_SHARE = 0.8


def people_on_network(cfg: SimConfig) -> float:
    """Customers and prospects: the market's nodes (an edge list's file decides, so it is not estimated)."""
    return cfg.market.customers / (1.0 - cfg.market.prospect_share)


def bytes_needed(cfg: SimConfig, agents: bool) -> float:
    """About how much memory a run of ``cfg`` takes at its peak."""
    per_person = PERSON_BYTES + TIE_BYTES * cfg.network.degree + (AGENT_BYTES if agents else 0.0)
    return PROCESS_BYTES + people_on_network(cfg) * per_person


def machine_bytes() -> float:
    """Physical memory, or the container's limit where one is set and smaller."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return float(physical)
    return float(min(physical, int(limit))) if limit.isdigit() else float(physical)


def check_fits(cfg: SimConfig, agents: bool) -> None:
    """Raise ConfigError when a run of ``cfg`` would not fit in memory (``check_memory=false`` skips this)."""
    if not cfg.check_memory or cfg.network.kind is NetworkKind.edgelist:
        return
    need, have = bytes_needed(cfg, agents), machine_bytes()
    if need > USABLE_SHARE * have:
        with_agents = " with Mesa agents" if agents else ""
        fewer = "agents=false, fewer customers" if agents else "fewer customers or a smaller network.degree"
        raise ConfigError(
            f"market.customers={cfg.market.customers}{with_agents} needs about {need / 1e9:.1f} GB "
            f"and this machine has {have / 1e9:.1f} GB ({USABLE_SHARE:.0%} usable): allowed {fewer}, "
            "or check_memory=false to try anyway"
        )
