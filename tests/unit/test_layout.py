"""Import rules of the autograder's layout: one folder per process, no cycles, no TensorFlow in the judge.

Every rule holds for what a module imports *transitively* (its imports' imports, the packages around them,
lazy imports inside functions included), since that is what loading it loads:

* ``wire`` (what both sides share) imports nothing else of the autograder;
* ``worker`` (runs student code) imports only ``wire`` and itself: nothing of the judge reaches it;
* ``judge`` and its graders (grade) never reach ``worker``: the judge starts it by module name;
* the judge and its graders never import TensorFlow (read from the files, and seen in a fresh interpreter);
* the module graph has no cycle.
"""
import ast
import functools
import json
import subprocess
import sys

from conftest import ROOT

PACKAGE = ROOT / "autograder"
PACKS = ROOT / "assignments"  # the assignments' graders and judge helpers (their worker modules are the worker's)
TENSORFLOW = ("tensorflow", "tensorflow_probability", "keras", "tf_keras")


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path):
    """Every module ``path`` names in an import (at any depth of the file), relative ones resolved."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            if target.startswith(("autograder", "assignments")):
                found |= {f"{target}.{a.name}" for a in node.names}
    return found


def _parents(name):
    """The packages Python loads before module ``name`` (``a.b.c`` -> ``a``, ``a.b``)."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


@functools.lru_cache(maxsize=None)  # read once per session; nobody changes the returned dicts
def _graph(packages=True):
    """``{module: autograder modules it loads directly}`` over the package, graders included (as ``...graders.x``).

    ``packages``: with the packages around each module (loaded first); without, the imports as written.
    """
    modules = {_module_name(p): p for p in [*PACKAGE.rglob("*.py"), *PACKS.rglob("*.py")]}
    graph = {}
    for name, path in modules.items():
        deps = {m for m in _imports(path) if m in modules}
        if packages:
            deps |= {p for m in deps | {name} for p in _parents(m)}
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph, modules


def _closure(graph, name):
    seen, todo = set(), [name]
    while todo:
        for dep in graph[todo.pop()] - seen:
            seen.add(dep)
            todo.append(dep)
    return seen - {name}


def _reaching(prefix, allowed):
    """``{module under prefix: what it loads outside allowed}`` for the modules that load any (closures)."""
    graph, _ = _graph()
    allowed = {"autograder"} | {d for d in graph if d.startswith(allowed)}  # the package itself is empty
    bad = {m: sorted(_closure(graph, m) - allowed) for m in graph if m.startswith(prefix)}
    return {m: d for m, d in bad.items() if d}


def test_closure_follows_imports_of_imports():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _closure(graph, "a") == {"b", "c"} and _closure(graph, "d") == set()
    graph, _ = _graph()
    coupling = "assignments.assignment07.graders.test_coupling"
    assert "autograder.wire.budgets" in _closure(graph, coupling) - graph[coupling]  # through the facade
    assert "autograder.judge" in graph["autograder.judge.seeds"]  # the package around a module loads first


def test_wire_imports_nothing_else():
    assert not _reaching("autograder.wire", ("autograder.wire",))


def test_worker_imports_only_wire():
    assert not _reaching("autograder.worker", ("autograder.wire", "autograder.worker"))


def test_judge_and_graders_never_reach_the_worker():
    graph, _ = _graph()
    bad = {m: sorted(d for d in _closure(graph, m) if d.startswith("autograder.worker"))
           for m in graph if m.startswith("autograder.judge")}
    assert not {m: d for m, d in bad.items() if d}


def _judge_modules(graph):
    """The judge's modules: the core's and every assignment's graders and judge helpers (not its worker module,
    nor the verbs that run a grading: calibrate, the bank's and the examples' builders)."""
    verbs = (".worker_objects", ".calibrate", ".make_bank", ".examples", ".examples.build")
    return [m for m in graph if m.startswith("autograder.judge") or m.startswith("assignments.") and not m.endswith(verbs)]


def test_the_judge_never_imports_tensorflow_in_any_file_it_loads():
    graph, modules = _graph()
    judge = _judge_modules(graph)
    assert len([m for m in judge if ".graders." in m]) >= 12
    loaded = set(judge).union(*(_closure(graph, m) for m in judge))
    bad = {m: sorted(i for i in _imports(modules[m]) if i.split(".")[0] in TENSORFLOW) for m in loaded}
    assert not {m: i for m, i in bad.items() if i}


IMPORT_THE_JUDGE = """
import importlib, importlib.util, json, pathlib, sys
blocked = []
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in %r:
            blocked.append(name)
            raise ImportError("the judge imported " + name)
sys.meta_path.insert(0, Refuse())
root = pathlib.Path(%r)
for path in sorted([*(root / "autograder" / "judge").rglob("*.py"), *(root / "assignments").rglob("*.py")]):
    rel = path.relative_to(root).with_suffix("").parts
    if rel[-1] in ("worker_objects", "calibrate", "make_bank") or "examples" in rel:  # the worker's side; verbs
        continue
    if "graders" in rel:  # pytest imports the graders as top-level test modules
        spec = importlib.util.spec_from_file_location(rel[-1], path)
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    else:
        importlib.import_module(".".join(rel[:-1] if rel[-1] == "__init__" else rel))
print(json.dumps({"blocked": blocked, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in %r),
                  "judge": sorted(m for m in sys.modules if m.startswith(("autograder.judge", "assignments")))}))
"""


def test_the_judge_never_imports_tensorflow_when_loaded():
    """Every module of the judge and every grader, loaded in a fresh interpreter that refuses TensorFlow."""
    code = IMPORT_THE_JUDGE % (TENSORFLOW, str(ROOT), TENSORFLOW)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen["blocked"] == [] and seen["loaded"] == []
    assert {"autograder.judge.plugin", "autograder.judge.facade", "assignments.assignment07.builders"} <= set(seen["judge"])


def test_no_import_cycles():
    graph, _ = _graph(packages=False)  # a lazy import in a package's __init__ is no cycle with its modules' users
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
