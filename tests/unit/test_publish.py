"""publish: the committed solutions/ only on purpose; quick runs go to build/solutions-quick/."""
import json
import subprocess

import pytest

from autograder import publish


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def run(cmd, cwd=None, env=None, **kw):
        seen.append((cmd, env))
        target = next((a.split("=", 1)[1] for a in cmd if a.startswith("--CourseDirectory.solution_directory=")), None)
        if target:
            from pathlib import Path
            (Path(target) / cmd[2]).mkdir(parents=True, exist_ok=True)  # nbgrader generate_solution <id>
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(publish.subprocess, "run", run)
    return seen


def _target(calls):
    return next(a for cmd, _ in calls for a in cmd if a.startswith("--CourseDirectory.solution_directory="))


@pytest.mark.parametrize("quick, out, expected, budget", [
    (True, None, "build/solutions-quick", "1"),
    (False, None, "solutions", "0"),
    (True, "solutions", "solutions", "1"),
])
def test_where_publish_writes(tmp_path, calls, quick, out, expected, budget):
    published = publish.main(root=tmp_path, quick=quick, out=out)
    assert _target(calls) == f"--CourseDirectory.solution_directory={tmp_path / expected}"
    assert published == tmp_path / expected / "assignment07"
    assert {env["NICE_QUICK"] for _, env in calls} == {budget}


def test_another_assignment_publishes_into_its_folder_with_its_budgets(tmp_path, calls):
    published = publish.main(root=tmp_path, quick=True, assignment="assignment08")
    assert published == tmp_path / "build/solutions-quick/assignment08"
    assert {env["COURSE_QUICK"] for _, env in calls} == {"1"}
    assert [cmd[:3] for cmd, _ in calls[:2]] == [["nbgrader", "db", "assignment"], ["nbgrader", "generate_solution",
                                                                                    "assignment08"]]
    made_from = json.loads((published / publish.RECORD).read_text())
    assert made_from["command"] == "python -m autograder publish --assignment assignment08 --quick"
    assert made_from["inputs"][0] == "source/assignment08"
