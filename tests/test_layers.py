"""The package reads as the model's story: each layer imports only the layers below it, never in a circle.

From the ground up: the world (configuration, people, network, random numbers), the mechanisms,
the model and its result, studies, checks against the world, the trainers' page, the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"
LAYERS = ["world", "mechanisms", "model", "studies", "checks", "demo", "cli"]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    """``sim.world.config`` -> world; ``sim.model``, ``sim.result`` and ``sim`` itself -> model."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "model"


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(module: str) -> set[str]:
    """The modules of ``sim`` that ``module`` imports anywhere (type-checking and in-function imports too)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "sim"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sim":
            for alias in node.names:  # `from sim.world import memory` imports the module sim.world.memory
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
    return found - {module}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_from_its_own_layer_and_those_below(module):
    mine = LAYERS.index(layer(module))
    above = sorted(m for m in imports(module) if LAYERS.index(layer(m)) > mine)
    assert not above, f"{module} ({layer(module)}) imports from a layer above it: {above}"


def test_no_modules_import_each_other_in_a_circle():
    graph = {m: imports(m) & set(MODULES) for m in MODULES}
    graph = {m: {d for d in deps if d != "sim"} for m, deps in graph.items()}  # the package's public face
    circles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph[module]):
            if state.get(dep) == "open":
                circles.append(" -> ".join([*path[path.index(dep) :], dep]))
            elif dep not in state:
                visit(dep, [*path, dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles
