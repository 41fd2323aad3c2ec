"""The committed release is exactly what nbgrader generates from source, leaks nothing, and says what to install."""
import ast
import importlib.metadata
import io
import json
import re
import sys
import textwrap
import tokenize

import pytest

from conftest import ROOT, run_tool
from autograder import packs

RELEASE = ROOT / "release" / "assignment07"
SOURCE = ROOT / "source" / "assignment07" / "assignment07.ipynb"
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION", re.S)
#: A solution line or expression of at least this many tokens is distinctive: it must not be shipped.
MIN_TOKENS = 6
#: Requirements the release's imports do not name, and why students need them.
NOT_IMPORTED = {"tf-keras": "TensorFlow Probability imports it under Keras 3",
                "jupyterlab": "opens the notebook", "ipywidgets": "tqdm's progress bars in the notebook"}


def _cells(path):
    return [(c["cell_type"], "".join(c["source"]), c["metadata"].get("nbgrader"))
            for c in json.loads(path.read_text())["cells"]]


@pytest.mark.parametrize("assignment", packs.ids())
def test_release_is_regenerated_from_source(course, assignment):
    proc = run_tool("nbgrader", "generate_assignment", assignment, "--force", cwd=course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    fresh, release = course / "release" / assignment, packs.load(assignment).release_notebook.parent
    names = sorted(p.name for p in release.iterdir())
    assert sorted(p.name for p in fresh.iterdir()) == names
    stale = f"release/ differs from what nbgrader generates: run `nbgrader generate_assignment {assignment} --force`"
    for name in names:
        if name.endswith(".ipynb"):
            assert _cells(fresh / name) == _cells(release / name), f"{name}: {stale}"
        else:
            assert (fresh / name).read_bytes() == (release / name).read_bytes(), f"{name}: {stale}"


def _tokens(code):
    """The number of Python tokens (names, operators, numbers, strings) in ``code``; 0 if it does not tokenize."""
    kinds = (tokenize.NAME, tokenize.OP, tokenize.NUMBER, tokenize.STRING)
    try:
        return sum(t.type in kinds for t in tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return 0


def _squeeze(text):
    """``text`` without whitespace and without the seams of adjacent string literals ("a" "b")."""
    return re.sub(r"\s+", "", text).replace('""', "").replace("''", "")


def _fragments(region):
    """Every line and expression of a solution region with at least MIN_TOKENS tokens, whitespace removed."""
    code = textwrap.dedent(region)
    found = {line.strip() for line in code.splitlines() if _tokens(line.strip()) >= MIN_TOKENS}
    found |= {ast.get_source_segment(code, node) for node in ast.walk(ast.parse(code))
              if isinstance(node, ast.expr)}
    return {_squeeze(f) for f in found if f and _tokens(f) >= MIN_TOKENS}


def _given_code(notebook):
    """The code of the notebook outside its solution regions, comments removed and whitespace squeezed:
    what is given is public (signatures, given cells), so a fragment found there is no leak."""
    code = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            text = SOLUTION.sub("", "".join(cell["source"]))
            code += [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline)
                     if t.type != tokenize.COMMENT]
    return _squeeze(" ".join(code))


def _shipped(path):
    """A released file's text as students read it (a notebook: its cells), whitespace squeezed."""
    if path.suffix == ".ipynb":
        return _squeeze("\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]))
    return _squeeze(path.read_text())


def test_release_has_no_solutions():
    """No line or expression of a solution region is in any released file (hints describe, never give code)."""
    source = json.loads(SOURCE.read_text())
    regions = [r for c in source["cells"] for r in SOLUTION.findall("".join(c["source"]))
               if c["cell_type"] == "code"]
    fragments = set().union(*map(_fragments, regions))
    given = _given_code(source)
    assert len(regions) >= 18 and len(fragments) > 50
    for path in sorted(RELEASE.iterdir()):
        assert not [m for m in MARKERS if m in path.read_text()], f"{path.name} keeps nbgrader markers"
        shipped = _shipped(path)
        leaked = sorted(f for f in fragments if f in shipped and f not in given)
        assert not leaked, f"{path.name} gives away solution code: {leaked}"
    release = json.loads((RELEASE / "assignment07.ipynb").read_text())
    stubs = sum("".join(c["source"]).count("raise NotImplementedError()")
                for c in release["cells"] if c["cell_type"] == "code")
    assert stubs == len(regions)


def test_leak_check_finds_a_hint_that_gives_code(tmp_path):
    """The fragments catch a hint quoting a solution expression, even re-spaced and split over literals."""
    fragments = _fragments("    return -tf.reduce_mean(log_likelihood(model, x))\n")
    hint = tmp_path / "hint.py"
    hint.write_text('HINT = ("nll_loss = - tf.reduce_mean( "\n        "log_likelihood(model, x) )")\n')
    assert "-tf.reduce_mean(log_likelihood(model,x))" in fragments
    assert [f for f in fragments if f in _shipped(hint)]


def _imports(code):
    """Top-level module names that ``code`` imports."""
    tree = ast.parse(code)
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    return {name.split(".")[0] for name in names}


def _pins(path):
    """{normalised distribution name: version} of a requirements file."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_release_requirements_cover_every_import():
    """requirements.txt pins exactly what the release imports (plus NOT_IMPORTED), at the repository's versions."""
    release = json.loads((RELEASE / "assignment07.ipynb").read_text())
    code = ["".join(c["source"]) for c in release["cells"] if c["cell_type"] == "code"]
    code += [p.read_text() for p in RELEASE.glob("*.py")]
    local = {p.stem for p in RELEASE.glob("*.py")}
    modules = set().union(*map(_imports, code)) - set(sys.stdlib_module_names) - local
    providers = importlib.metadata.packages_distributions()
    needed = {re.sub(r"[-_.]+", "-", providers[m][0]).lower() for m in modules}
    assert {"tensorflow", "tensorflow-probability", "scikit-learn", "mlxtend", "scipy"} <= needed
    pins = _pins(RELEASE / "requirements.txt")
    assert set(pins) == needed | set(NOT_IMPORTED), "release/assignment07/requirements.txt: missing or extra"
    repository = _pins(ROOT / "requirements.txt")
    assert {name: repository[name] for name in pins} == pins, "pins differ from the repository's requirements.txt"


def test_release_has_no_grader_material():
    needles = ("calibration.json", "autograder.judge", "autograder/graders", "nbgrader_bridge", "check(")
    for folder in ("release", "solutions"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                text = path.read_text(errors="ignore")
                assert not [n for n in needles if n in text], f"{path} contains grader material"


@pytest.mark.parametrize("assignment", packs.ids())
def test_hidden_check_cells_match_the_graders(assignment):
    from autograder.grade.run import manifest
    from autograder.nbgrader_bridge.cells import expected_notebook
    pack = packs.load(assignment)
    assert json.loads(pack.notebook.read_text()) == expected_notebook(manifest(pack), pack.notebook), (
        f"the source notebook's hidden check cells are stale: python -m autograder hidden-cells --assignment {assignment}")
