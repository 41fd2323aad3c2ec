"""The committed release is exactly what nbgrader generates from source, and leaks nothing."""
import json

from conftest import ROOT, run_tool

RELEASE = ROOT / "release" / "assignment07"
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _cells(path):
    return [(c["cell_type"], "".join(c["source"]), c["metadata"].get("nbgrader"))
            for c in json.loads(path.read_text())["cells"]]


def test_release_is_regenerated_from_source(course):
    proc = run_tool("nbgrader", "generate_assignment", "assignment07", "--force", cwd=course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    fresh = course / "release" / "assignment07"
    assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in RELEASE.iterdir())
    assert _cells(fresh / "assignment07.ipynb") == _cells(RELEASE / "assignment07.ipynb"), (
        "release/ differs from what nbgrader generates: run `nbgrader generate_assignment assignment07 --force`")
    assert (fresh / "nice_helpers.py").read_text() == (RELEASE / "nice_helpers.py").read_text()


def test_release_has_no_solutions():
    source = json.loads((ROOT / "source/assignment07/assignment07.ipynb").read_text())
    release_text = (RELEASE / "assignment07.ipynb").read_text()
    for marker in MARKERS:
        assert marker not in release_text
    gaps = 0
    for cell in source["cells"]:
        text = "".join(cell["source"])
        while "### BEGIN SOLUTION" in text:
            start = text.index("### BEGIN SOLUTION") + len("### BEGIN SOLUTION")
            end = text.index("### END SOLUTION")
            for line in text[start:end].splitlines():
                if len(line.strip()) > 25:  # a distinctive solution line
                    assert line.strip() not in release_text, f"solution line leaked: {line.strip()}"
            text = text[end + len("### END SOLUTION"):]
            gaps += 1
    release = json.loads(release_text)
    stubs = sum("".join(c["source"]).count("raise NotImplementedError()")
                for c in release["cells"] if c["cell_type"] == "code")
    assert stubs == gaps


def test_release_has_no_grader_material():
    needles = ("calibration.json", "autograder.judge", "autograder/graders", "nbgrader_bridge", "check(")
    for folder in ("release", "solutions"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                text = path.read_text(errors="ignore")
                assert not [n for n in needles if n in text], f"{path} contains grader material"


def test_hidden_check_cells_match_the_graders():
    from autograder.grade.run import manifest
    from autograder.nbgrader_bridge.cells import expected_notebook
    source = ROOT / "source/assignment07/assignment07.ipynb"
    assert json.loads(source.read_text()) == expected_notebook(manifest(), source), (
        "the source notebook's hidden check cells are stale: python -m autograder hidden-cells")
