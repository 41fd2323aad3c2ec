"""Every command the README shows is run by a test, exactly as written.

A command is a line of a ```bash block that is not a comment.  ``COMMANDS`` names the test that runs
each; a fast test fails when the README and this map drift apart, and when an inline code span that
reads like a command is not one of the block commands (or the start of one).  The slow tests run the
commands through ``bash`` in this checkout or in a scratch copy of it.  The two that take minutes at full
size (``SMOKE``: the calibration, the published solution) run at smoke size, with the option the README
documents; their committed outputs record what they were made from (tests/test_generated_files.py).
"""
import json
import re
import shutil
import sys

import pytest

from conftest import ROOT, TEST_SECRET, _activated, printed, run
from autograder import packs, paths, publish
from assignments.assignment07 import calibrate
from assignments.assignment08 import calibrate as calibrate08
from autograder.made_from import record

README = ROOT / "README.md"

#: command -> "file::test" that runs it exactly as written
COMMANDS = {
    "bash scripts/grade-examples.sh": "tests/test_readme.py::test_main_job",
    ".venv/bin/python -m pytest": "tests/test_readme.py::test_ci_runs_the_test_command",
    '.venv/bin/python -m pytest -m "not slow"': "tests/test_readme.py::test_fast_tier",
    "source .venv/bin/activate": "tests/test_readme.py::test_instructor_workflow",
    "nbgrader generate_assignment assignment07 --force": "tests/test_readme.py::test_instructor_workflow",
    "nbgrader release_assignment assignment07 --force": "tests/test_readme.py::test_instructor_workflow",
    "nbgrader collect assignment07": "tests/test_readme.py::test_instructor_workflow",
    "python -m autograder grade submitted/ --out grades/ --workers 2": "tests/test_readme.py::test_instructor_workflow",
    "AUTOGRADER_RESULTS=grades/ nbgrader autograde assignment07 --force": "tests/test_readme.py::test_instructor_workflow",
    "nbgrader generate_feedback assignment07 --force": "tests/test_readme.py::test_instructor_workflow",
    "nbgrader export --to gradebook.csv": "tests/test_readme.py::test_instructor_workflow",
    "python -m autograder publish": "tests/test_readme.py::test_instructor_workflow",
    "python -m autograder similarity submitted/ --out grades/": "tests/test_readme.py::test_similarity_report",
    "python -m autograder grade gradescope_export.zip --out grades/ --submitted submitted/":
        "tests/test_exports_grading.py::test_gradescope_download_to_lms_files",
    "python -m autograder lms-grades grades/ --roster canvas_gradebook.csv --gradebook gradebook.csv":
        "tests/test_exports_grading.py::test_gradescope_download_to_lms_files",
    "python -m autograder similarity gradescope_export.zip --out grades/ --archive last_year.zip":
        "tests/test_exports_grading.py::test_gradescope_download_to_lms_files",
    "python -m autograder hidden-cells": "tests/test_readme.py::test_maintenance_commands_change_nothing",
    "python -m assignments.assignment07.examples.build": "tests/test_readme.py::test_maintenance_commands_change_nothing",
    "PYTHONPATH=. python tests/fixtures/make_submissions.py": "tests/test_readme.py::test_maintenance_commands_change_nothing",
    "PYTHONPATH=. python tests/fixtures/make_hostile.py": "tests/test_readme.py::test_maintenance_commands_change_nothing",
    "PYTHONPATH=. python tests/fixtures/make_roundtrip.py": "tests/test_readme.py::test_maintenance_commands_change_nothing",
    "PYTHONPATH=. python assignments/assignment08/make_bank.py": "tests/test_readme.py::test_maintenance_commands_change_nothing",
    calibrate.COMMAND: "tests/test_readme.py::test_calibrate",
    calibrate08.COMMAND: "tests/test_readme.py::test_calibrate_assignment08",
    'python -m autograder new-assignment demo01 --title "Demo 01"':
        "tests/test_new_assignment.py::test_a_new_assignment_grades_its_release_zero_and_its_source_full_marks",
    "python -m autograder grade source/assignment08/assignment08.ipynb --out /tmp/a08 --assignment assignment08":
        "tests/test_assignment08_bank.py::graded",
    "python -m autograder publish --assignment assignment08":
        "tests/unit/test_publish.py::test_another_assignment_publishes_into_its_folder_with_its_budgets",
    "python -m autograder gradescope-bundle": "tests/test_gradescope_and_publish.py::gradescope_root",
    "python -m autograder gradescope-bundle --assignment assignment08":
        "tests/test_gradescope_and_publish.py::test_gradescope_assignment08_bundle_full_marks",
    "NICE_QUICK=1 jupyter nbconvert --to notebook --execute source/assignment07/assignment07.ipynb --output /tmp/x.ipynb":
        "tests/test_notebook_quick.py::test_source_notebook_runs_in_quick_mode",
}
#: command -> what its test runs instead: the same steps at smoke size (the full runs are maintenance)
SMOKE = {calibrate.COMMAND: f"{calibrate.COMMAND} --smoke", publish.COMMAND: f"{publish.COMMAND} --quick",
         calibrate08.COMMAND: f"{calibrate08.COMMAND} --smoke"}
#: An inline span that starts like a command line.
COMMAND_LIKE = re.compile(r"^(\w+=\S+ )*(\.venv/bin/)?(python|nbgrader|bash|jupyter|pytest)\b")


def _blocks(text):
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def readme_commands(text):
    """The README's commands: every line of its bash blocks, without comments."""
    lines = (line.split("  #")[0].strip() for block in _blocks(text) for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def at_smoke_size(block):
    """A bash block with each command of ``SMOKE`` replaced by its smoke-size run."""
    return "\n".join(SMOKE.get(line.split("  #")[0].strip(), line) for line in block.splitlines())


def test_every_readme_command_is_run_by_a_test():
    text = README.read_text()
    assert sorted(set(readme_commands(text))) == sorted(COMMANDS), "README commands and COMMANDS differ"
    for where in set(COMMANDS.values()):
        path, name = where.split("::")
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), flags=re.M), where
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if COMMAND_LIKE.match(span) and not re.search(r"[A-Z]{3,}|\[|<", span.split(" ", 1)[-1]):
            bare = [re.sub(r"^(\w+=\S+ )+", "", c) for c in COMMANDS]  # without leading VAR=value
            assert any(c == span or c.startswith(span + " ") for c in [*COMMANDS, *bare, *SMOKE.values()]), (
                f"untested command in prose: {span}")


def test_ci_runs_the_test_command():
    assert ".venv/bin/python -m pytest" in (ROOT / ".ci/run").read_text().splitlines()


@pytest.mark.slow
def test_main_job(main_job):
    """The main job in a scratch copy (tests/conftest.py; tests/test_grading.py checks what it graded)."""
    checkout, proc = main_job
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert re.search(r"^reference\s+(\S+) / \1 ", proc.stdout, flags=re.M), proc.stdout[-2000:]
    assert (checkout / "grading-output" / "grades.csv").exists() and "summary" in proc.stdout.lower()


@pytest.mark.slow
def test_fast_tier(request):
    """The fast tier's command selects the tests without the slow mark, and only those.  It collects them
    (``--collect-only``): the session that runs this test runs them itself, and running them again here
    would double their time."""
    proc = run('.venv/bin/python -m pytest -m "not slow" --collect-only -q', ROOT, timeout=300, env=_activated())
    assert proc.returncode == 0, proc.stdout[-3000:]
    collected = {line for line in proc.stdout.splitlines() if "::" in line}
    assert len(collected) > 200 and "tests/test_readme.py::test_every_readme_command_is_run_by_a_test" in collected
    session = {item.nodeid: bool(item.get_closest_marker("slow")) for item in request.session.items}
    assert request.node.nodeid not in collected  # this test is slow
    assert not [n for n, slow in session.items() if slow and n in collected], "a slow test in the fast tier"
    assert not [n for n, slow in session.items() if not slow and n not in collected], "a fast test left out"


def _section(title):
    """The text of the README's section ``## title``."""
    return README.read_text().split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_instructor_workflow(checkout):
    """The instructor block, as one bash script, in a scratch copy with two submissions collected."""
    for student, notebook in (("alice", paths.SOURCE_NOTEBOOK), ("bob", paths.EXAMPLES / "student_backward_adds_shift.ipynb")):
        folder = checkout / "submitted" / student / "assignment07"
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / "assignment07.ipynb")
    proc = run("set -euo pipefail\n" + at_smoke_size(_blocks(_section("Instructor workflow"))[0]), checkout,
               timeout=3000, env=_activated())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    grades = (checkout / "grades" / "grades.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in grades[1:]] == ["alice", "bob"]
    gradebook = (checkout / "gradebook.csv").read_text()
    assert "alice" in gradebook and "bob" in gradebook
    assert (checkout / "feedback" / "alice" / "assignment07" / "assignment07.html").exists()
    out = checkout / publish.QUICK_OUT / "assignment07"  # publish at smoke size; solutions/ is committed
    made_from = json.loads((out / publish.RECORD).read_text())
    assert made_from == record(publish.inputs(packs.load()), SMOKE[publish.COMMAND], ROOT)  # the inputs it read: this checkout's
    text = (out / "assignment07.ipynb").read_text()
    assert "nbgrader_bridge" not in text and "tf.reduce_sum(self.log_scale)" in text  # solutions, no hidden checks
    published = json.loads(text)
    assert "MNIST test log-likelihood" in printed(published) and "ratio" in printed(published)
    assert any(o.get("output_type") == "display_data" for c in published["cells"] for o in c.get("outputs", []))
    assert (out / "assignment07.html").exists()


@pytest.mark.slow
def test_similarity_report(checkout):
    """The similarity block in a scratch copy: of three students, the one who handed in another's answers
    renamed and reordered is in the first pair; the untouched release matches nobody."""
    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    import similarity_class as sc
    ana = sc.fill(sc.ANA)
    for student, nb in (("ana", ana), ("ben", sc.disguise(ana)), ("cho", sc.load(sc.RELEASE))):
        sc.write(nb, checkout / "submitted" / student / "assignment07" / "assignment07.ipynb")
    proc = run("set -euo pipefail\n" + _blocks(_section("Similarity report"))[0], checkout, timeout=300, env=_activated())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = (checkout / "grades" / "similarity.csv").read_text().splitlines()
    assert rows[1].startswith("1,ana,ben,class,") and "ana / ben" in proc.stdout
    assert all(float(row.split(",")[4]) == 0 for row in rows[1:] if ",cho," in row or row.split(",")[1] == "cho")
    assert "ben" in (checkout / "grades" / "similarity.html").read_text()


MAINTENANCE_OUTPUTS = ("source", "release", "assignments/assignment07/examples", "tests/fixtures/submissions")


def _snapshot(root):
    return {p.relative_to(root): p.read_bytes() for folder in MAINTENANCE_OUTPUTS
            for p in sorted((root / folder).rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.slow
def test_maintenance_commands_change_nothing(checkout):
    """The commands that rebuild committed artifacts rebuild them byte for byte: nothing is stale."""
    before = _snapshot(checkout)
    commands = [c for c in readme_commands(_section("Maintenance")) if COMMANDS[c].endswith("change_nothing")]
    assert len(commands) == 6
    for command in commands:
        proc = run(command, checkout, timeout=600, env=_activated())
        assert proc.returncode == 0, (command, proc.stdout[-2000:] + proc.stderr[-2000:])
    after = _snapshot(checkout)
    changed = sorted(str(p) for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert not changed, f"stale committed files (rerun the README's Maintenance commands): {changed[:10]}"


@pytest.mark.slow
def test_calibrate(checkout):
    """The calibration command at smoke size (2 keyed streams, one alternative, one bug), under the tests'
    course key in a scratch copy: it runs every step, records what it was made from, leaves the committed
    file alone, and the correct implementations it measured stay below the committed threshold with full
    marks.  The full run is a maintenance command: tests/test_generated_files.py checks its record."""
    committed = paths.CALIBRATION.read_bytes()
    proc = run(SMOKE[calibrate.COMMAND], checkout, timeout=900, env=_activated({"AUTOGRADER_COURSE_SECRET": str(TEST_SECRET)}))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (checkout / paths.CALIBRATION.relative_to(ROOT)).read_bytes() == committed
    smoke = json.loads((checkout / calibrate.SMOKE.out.relative_to(ROOT)).read_text())
    assert smoke["made_from"] == record(calibrate.INPUTS, SMOKE[calibrate.COMMAND], ROOT)
    par, checks = smoke["parabola_nll"], smoke["checks"]
    assert par["reference"]["seeds"] == calibrate.SMOKE.seeds and len(par["correct_alternatives"]) == 1
    worst_correct = max([par["reference"]["max"]] + [v["nll_max"] for v in par["correct_alternatives"].values()])
    threshold = json.loads(committed)["parabola_nll"]["threshold"]
    assert worst_correct < threshold, f"a correct implementation reaches {worst_correct:.3f} > {threshold:.3f}"
    assert checks["reference_full_marks"].startswith(f"{calibrate.SMOKE.seeds} of ")
    assert not checks["reference_failures"] and not checks["alternative_failures"]


@pytest.mark.slow
def test_calibrate_assignment08(checkout):
    """assignment08's calibration command at smoke size, in a scratch copy: it measures every calibrated limit,
    records what it was made from and leaves the committed file alone."""
    pack = packs.load("assignment08")
    committed = pack.calibration.read_bytes()
    proc = run(SMOKE[calibrate08.COMMAND], checkout, timeout=600,
               env=_activated({"AUTOGRADER_COURSE_SECRET": str(TEST_SECRET)}))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (checkout / pack.calibration.relative_to(ROOT)).read_bytes() == committed
    smoke = json.loads((checkout / calibrate08.SMOKE.out.relative_to(ROOT)).read_text())
    assert smoke["made_from"] == record(calibrate08.INPUTS, SMOKE[calibrate08.COMMAND], ROOT)
    assert set(smoke["checks"]) == set(calibrate08.MEASURES)
    for name, check in smoke["checks"].items():  # the correct ones it measured stay within the committed limits
        worst = max([check["reference"]["max"], *check["correct_alternatives"].values()])
        assert worst < json.loads(committed)["checks"][name]["limit"], (name, worst)
