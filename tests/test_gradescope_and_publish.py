"""Gradescope bundle run as Gradescope would, and HTML feedback.

The published solution is checked by tests/test_readme.py::test_instructor_workflow (which publishes
for real) and tests/unit/test_publish.py (where --quick writes).
"""
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from conftest import ROOT
from autograder import packs, paths
from autograder.grade.run import manifest
from test_readme import _activated, run
from autograder.notebook import manual_points, read_notebook
from autograder.version import grader_version

pytestmark = pytest.mark.slow

# The published results.json format (gradescope-autograder-docs: "Autograder Specifications").
RESULTS_SCHEMA = {
    "type": "object", "required": ["tests"],
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {"type": "array", "items": {
            "type": "object", "required": ["score", "max_score", "name"],
            "properties": {"score": {"type": "number"}, "max_score": {"type": "number"},
                           "name": {"type": "string"}, "output": {"type": "string"},
                           "status": {"enum": ["passed", "failed"]},
                           "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]}}}},
    },
}


def _bundle(command, zip_path, root):
    """Build a bundle with ``command`` (as the README says) and unpack ``zip_path`` as Gradescope does; its names."""
    proc = run(command, ROOT, timeout=300, env=_activated())
    assert proc.returncode == 0, proc.stderr[-2000:]
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        zf.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        path = root / "source" / name
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return names


@pytest.fixture(scope="module")
def gradescope_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("gs") / "autograder"
    names = _bundle("python -m autograder gradescope-bundle", ROOT / "dist" / "assignment07_autograder.zip", root)
    assert {"setup.sh", "run_autograder", "requirements.txt", "assignments/assignment07/graders/test_training.py"} <= set(names)
    assert not [n for n in names if "examples" in n or "tests/" in n.split("autograder/")[0]]
    return root


def _run(root, notebook, name="assignment07.ipynb"):
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    shutil.copy(notebook, root / "submission" / name)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True, timeout=600)
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    return data


def test_gradescope_reference_full_marks(gradescope_root):
    data = _run(gradescope_root, ROOT / "source/assignment07/assignment07.ipynb")
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) > 0
    autograded, manual = sum(t["points"] for t in manifest()), manual_points(read_notebook(paths.SOURCE_NOTEBOOK))
    assert f"{autograded:g} autograded points; the {manual:g} points of written answers are graded by hand" \
        in data["output"]
    assert data["isolation"].startswith("isolation: namespaces+allowlist root, uid "), data["isolation"]
    vis = {t["id"]: t["visibility"] for t in data["tests"]}
    assert vis["test_parabola_training"] == "after_published" and vis["test_coupling_inverse"] == "visible"
    # readable names, and what an appeal names: the file's hash and the graders' version (the bundle's is the course's)
    assert [t["name"] for t in data["tests"]][:2] == ["Coupling inverse", "Coupling structure"]
    sha = hashlib.sha256((ROOT / "source/assignment07/assignment07.ipynb").read_bytes()).hexdigest()
    assert data["submission_sha256"] == sha and data["grader_version"] == grader_version()
    assert sha in data["output"] and 0 < data["execution_time"] < 600


def test_gradescope_broken_submission(gradescope_root, tmp_path):
    data = _run(gradescope_root, ROOT / "assignments/assignment07/examples/student_backward_adds_shift.ipynb")
    failed = {t["id"] for t in data["tests"] if t["score"] < t["max_score"]}
    assert failed == {"test_coupling_inverse", "test_nice_inverse", "test_sampling"}
    bad = tmp_path / "not_a_notebook.ipynb"
    bad.write_text("garbage")
    data = _run(gradescope_root, bad)
    assert data["score"] == 0 and "notebook refused: not JSON" in data["output"]  # the reason, at the top
    assert all(t["output"].startswith("not run: notebook refused") for t in data["tests"])



def test_gradescope_assignment08_bundle_full_marks(tmp_path):
    """One bundle per assignment: assignment08's (default name from its id) grades with its pack."""
    pack, root = packs.load("assignment08"), tmp_path / "autograder"
    _bundle(f"python -m autograder gradescope-bundle --assignment {pack.id}",
            ROOT / "dist" / f"{pack.id}_autograder.zip", root)
    data = _run(root, pack.notebook, "my submission.ipynb")  # any name: the bundle knows its assignment
    autograded, manual = sum(t["points"] for t in manifest(pack)), manual_points(read_notebook(pack.notebook))
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) == autograded > 0
    assert data["output"].startswith(f"Graded by the course autograder ({pack.title}): ")
    assert f"{autograded:g} autograded points; the {manual:g} points of written answers are graded by hand" \
        in data["output"]
    print(f"assignment08 on Gradescope: {data['score']:g} / {autograded:g} in {data['execution_time']:.0f} s")
