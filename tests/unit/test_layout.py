"""Import rules of the autograder's layout: one folder per process, no cycles.

* ``wire`` (what both sides share) imports nothing else of the autograder;
* ``worker`` (runs student code) imports only ``wire`` and itself: nothing of the judge reaches it;
* ``judge`` (grades) never imports ``worker``: it starts it by module name;
* the module graph, lazy imports inside functions included, has no cycle.
"""
import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "autograder"


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path):
    """Every autograder module ``path`` imports (at any depth of the file)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("autograder")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("autograder"):
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}
    return found


def _graph():
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "graders" not in p.parts}
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


def _offending(prefix, allowed):
    graph = _graph()
    return {m: sorted(d for d in deps if not d.startswith(allowed))
            for m, deps in graph.items() if m.startswith(prefix)
            and any(not d.startswith(allowed) for d in deps)}


def test_wire_imports_nothing_else():
    assert not _offending("autograder.wire", ("autograder.wire",))


def test_worker_imports_only_wire():
    assert not _offending("autograder.worker", ("autograder.wire", "autograder.worker"))


def test_judge_never_imports_worker():
    graph = _graph()
    bad = {m: sorted(d for d in deps if d.startswith("autograder.worker"))
           for m, deps in graph.items() if m.startswith("autograder.judge")}
    assert not {m: d for m, d in bad.items() if d}


def test_graders_import_only_the_judge_side():
    for path in (PACKAGE / "judge" / "graders").glob("*.py"):
        bad = [m for m in _imports(path) if m.startswith("autograder.worker")]
        assert not bad, f"{path.name} imports {bad}"


def test_no_import_cycles():
    graph = _graph()
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                cycle = stack[stack.index(dep):] + [dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
