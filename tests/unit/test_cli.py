"""The command line: the workflow in --help, one-line errors before anything runs, and running from elsewhere."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT

from autograder import cli


def test_grade_input_without_notebooks_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "submitted" / "alice"),
                           "--out", str(tmp_path / "g")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "no such notebook or folder" in proc.stderr
    assert not (tmp_path / "g").exists()


def test_help_gives_the_workflow_in_order(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert done.value.code == 0
    steps = ["1. release", "nbgrader generate_assignment", "3. grade", "python -m autograder grade submitted/",
             "4. gradebook", "nbgrader autograde", "5. feedback", "6. publish", "similarity    python -m autograder",
             "maintenance, after", "python -m autograder hidden-cells", "python -m autograder calibrate"]
    assert [text.index(s) for s in steps] == sorted(text.index(s) for s in steps)
    verbs = ["grade", "similarity", "publish", "examples", "hidden-cells", "calibrate", "gradescope-bundle"]
    listed = text[text.index("verbs ("):text.index("workflow, in order")]
    assert [listed.index(f"\n    {v}") for v in verbs] == sorted(listed.index(f"\n    {v}") for v in verbs)
    assert "No module named autograder" in text and "scripts/autograder" in text


@pytest.mark.parametrize("verb, out_is", [("grade", "file"), ("similarity", "file"), ("examples", "file"),
                                          ("publish", "file"), ("gradescope-bundle", "folder")])
def test_an_out_of_the_wrong_kind_is_one_line(tmp_path, capsys, verb, out_is):
    out = tmp_path / "grades.csv"
    out.mkdir() if out_is == "folder" else out.write_text("alice,3\n")
    args = [verb, *(["nb.ipynb"] if verb in ("grade", "similarity") else []), "--out", str(out)]
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1 and err.startswith(f"python -m autograder {verb}: error: --out")
    assert out.is_dir() if out_is == "folder" else out.read_text() == "alice,3\n"


def test_outside_the_course_root_python_cannot_find_it_but_the_script_can(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-m", "autograder", "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "No module named autograder" in proc.stderr  # what --help and the README explain
    script = [str(ROOT / "scripts" / "autograder")]
    proc = subprocess.run(script + ["--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "workflow, in order" in proc.stdout
    proc = subprocess.run(script + ["grade", "submitted", "--out", "grades"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr == "python -m autograder grade: error: submitted: no such notebook or folder\n"
