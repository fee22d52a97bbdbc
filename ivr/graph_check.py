"""Whole-graph checks: references resolve, an entry exists, every node is reachable, variables
are set somewhere before use, and no loop of conditions can spin without waiting for input."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from acd.config_yaml import Value
from ivr.model import ConditionNode, Node, node_targets

__all__ = ["BUILTIN_VARIABLES", "Reference", "check_graph"]

# Set by the interpreter when the call starts.
BUILTIN_VARIABLES = frozenset({"caller", "dialled", "caller_class"})


@dataclass(frozen=True)
class Reference:
    target: str
    value: Value


def check_graph(
    nodes: Mapping[str, Node],
    where: Mapping[str, Value],
    references: Sequence[Reference],
    entry: str,
    entry_value: Value,
    *,
    stored: Mapping[str, Value],
    used: Sequence[tuple[str, Value]],
) -> None:
    names = sorted(nodes)
    for ref in references:
        if ref.target and ref.target not in nodes:
            hint = _hint(ref.target, names)
            ref.value.error(f"expected the name of a node, got {ref.target!r}{hint}")
    if not entry:
        entry_value.error("no entry node: set hotline.entry to the first node of the IVR")
    elif entry not in nodes:
        entry_value.error(f"the entry node {entry!r} is not defined{_hint(entry, names)}")
    else:
        reachable = _reachable(nodes, entry)
        for name in names:
            if name not in reachable:
                where[name].warn(f"node {name!r} cannot be reached from the entry node {entry!r}")
    for variable, value in used:
        if variable and variable not in stored and variable not in BUILTIN_VARIABLES:
            known = ", ".join(sorted(set(stored) | BUILTIN_VARIABLES))
            value.error(f"variable {variable!r} is never set by a collect or lookup node "
                        f"(known: {known})")
    for cycle in _condition_cycles(nodes):
        where[cycle[0]].error(
            "conditions loop without waiting for the caller: " + " -> ".join([*cycle, cycle[0]])
        )


def _hint(name: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _reachable(nodes: Mapping[str, Node], entry: str) -> set[str]:
    seen = {entry}
    todo = [entry]
    while todo:
        for _, target in node_targets(nodes[todo.pop()]):
            if target in nodes and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _condition_cycles(nodes: Mapping[str, Node]) -> list[list[str]]:
    """Cycles made only of condition nodes (each found once, from its smallest name)."""
    conditions = {n for n, node in nodes.items() if isinstance(node, ConditionNode)}
    cycles: list[list[str]] = []

    def walk(path: list[str]) -> None:
        for _, target in node_targets(nodes[path[-1]]):
            if target == path[0]:
                cycles.append(list(path))
            elif target in conditions and target not in path and target > path[0]:
                walk([*path, target])

    for start in sorted(conditions):
        walk([start])
    return cycles
