"""The command line: a grading input that holds no notebook is a one-line error, before anything runs."""
import subprocess
import sys

from conftest import ROOT


def test_grade_input_without_notebooks_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "submitted" / "alice"),
                           "--out", str(tmp_path / "g")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "no such notebook or folder" in proc.stderr
    assert not (tmp_path / "g").exists()
