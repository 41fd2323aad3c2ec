"""A class run stopped by SIGINT or SIGTERM keeps what was graded, and the same command grades the rest.

The judge is ``fake_judge.py`` (no TensorFlow, a few ms per submission); the runner, its signal
handling, its outputs and the reuse of earlier results are the real ones.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import ROOT, timeless

from autograder import cli
from autograder.grade import run
from autograder.grade.report import STUDENT_FILES
from autograder.grade.stop import Stop, StopNow
from autograder.wire.names import RUNNER_ENV

FAKE_JUDGE = Path(__file__).with_name("fake_judge.py")


@pytest.fixture
def judges(tmp_path, monkeypatch):
    """The judge's command replaced by fake_judge.py; yields the folder where each judge started leaves its pid."""
    pids = tmp_path / "judges"
    pids.mkdir()
    monkeypatch.setattr(run, "_pytest", lambda pack, *args: [sys.executable, str(FAKE_JUDGE), *args])
    monkeypatch.setenv("FAKE_JUDGE_PIDS", str(pids))
    return pids


def _class(folder, **fake):
    """Notebooks of students a, b, c, d in ``folder``, each scored differently; ``fake``: a student's
    ``metadata.fake`` instead (see fake_judge.py)."""
    folder.mkdir(exist_ok=True)
    for score, student in enumerate("abcd"):
        meta = {"fake": fake.get(student, {"score": score})}
        (folder / f"{student}.ipynb").write_text(json.dumps({"cells": [], "metadata": meta, "nbformat": 4,
                                                             "nbformat_minor": 5}))
    return folder


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_stop_kills_the_judges_in_flight_and_starts_nothing_new(tmp_path, judges):
    # a's judge ends only once b's has started (on a busy machine b's could otherwise be killed before it says so)
    folder = _class(tmp_path / "class", a={"score": 0, "started": 2}, b={"sleep": 120})
    stop, seen = Stop(), []

    def on_result(result):
        seen.append(result.student)
        stop.request(signal.SIGINT)  # what the handler does when the signal comes now

    started = time.monotonic()
    results = run.grade_submissions(sorted((p.stem, p) for p in folder.glob("*.ipynb")), workers=2,
                                    use_zygote=False, progress=False, on_result=on_result, stop=stop)
    assert time.monotonic() - started < 60  # b's judge did not sleep on
    assert seen == ["a"] and [r and r.student for r in results] == ["a", None, None, None]
    pids = [int(p.name) for p in judges.iterdir()]
    assert len(pids) == 2 and not any(map(_alive, pids))  # a's and b's; b's killed, c and d never started
    with pytest.raises(StopNow):
        stop.request(signal.SIGTERM)  # a second signal stops at once


def _outputs(out):
    """grades.csv and every student's results.json (less its time) and feedback, by path."""
    files = {"grades.csv": (out / "grades.csv").read_text()}
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        for name in ("results.json", "feedback.md", "feedback.html"):
            files[f"{folder.name}/{name}"] = timeless((folder / name).read_text())
    return files


def _interrupted(tmp_path, judges, capsys, name, status):
    """Grade a, b, c, d one at a time into tmp_path/grades, c's judge sending ``name`` to the runner: check
    what the run leaves and says; returns the class folder, the output folder and the command."""
    folder = _class(tmp_path / "class", c={"signals": [name], "sleep": 120})
    out = tmp_path / "grades"
    command = ["grade", str(folder), "--out", str(out), "--workers", "1", "--no-zygote", "--no-progress"]
    with pytest.raises(SystemExit) as stopped:
        cli.main(command)
    printed = capsys.readouterr()
    assert stopped.value.code == status
    assert printed.err == "interrupted: 2 of 4 graded; run the same command again to grade the rest\n"
    assert sorted(p.name for p in out.iterdir() if p.is_dir() or p.name.startswith(".")) == ["a", "b"]
    assert all((out / s / f).is_file() for s in "ab" for f in STUDENT_FILES)
    assert [row.split(",")[0] for row in (out / "grades.csv").read_text().splitlines()] == ["student", "a", "b"]
    assert "Class summary: 2 students" in (out / "summary.txt").read_text()
    assert len(list(judges.iterdir())) == 3 and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    return folder, out, command


@pytest.mark.parametrize("name, status", [("SIGINT", 130), ("SIGTERM", 143)])
def test_an_interrupted_run_keeps_what_was_graded_and_says_so(tmp_path, judges, capsys, name, status):
    _interrupted(tmp_path, judges, capsys, name, status)


def test_the_same_command_grades_the_rest_as_one_uninterrupted_run_would(tmp_path, judges, capsys):
    folder, out, command = _interrupted(tmp_path, judges, capsys, "SIGINT", 130)
    kept = {f: (out / "a" / f).stat().st_mtime_ns for f in STUDENT_FILES}
    _class(folder)  # c as it would have been graded
    cli.main(command)
    printed = capsys.readouterr()
    assert "2 of 4 results reused from an earlier run" in printed.out and printed.err == ""
    assert len(list(judges.iterdir())) == 5  # c and d only
    assert kept == {f: (out / "a" / f).stat().st_mtime_ns for f in STUDENT_FILES}
    assert "2 of 4 results reused" in (out / "summary.txt").read_text()

    cli.main([*command[:3], str(tmp_path / "fresh"), *command[4:]])  # the same class, uninterrupted
    assert _outputs(out) == _outputs(tmp_path / "fresh")

    cli.main([*command, "--force"])
    assert len(list(judges.iterdir())) == 13 and "reused" not in capsys.readouterr().out


def test_a_second_signal_stops_at_once(tmp_path, judges, capsys, monkeypatch):
    """A second Ctrl-C while the first one's class files are written: the run ends there."""
    def second_ctrl_c(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(60)
    monkeypatch.setattr("autograder.grade.summary.write_summary", second_ctrl_c)
    folder = _class(tmp_path / "class", b={"signals": ["SIGTERM"], "sleep": 120})
    out = tmp_path / "grades"
    started = time.monotonic()
    with pytest.raises(SystemExit) as stopped:
        cli.main(["grade", str(folder), "--out", str(out), "--workers", "1", "--no-zygote", "--no-progress"])
    assert stopped.value.code == 130 and time.monotonic() - started < 30
    assert capsys.readouterr().err == ("interrupted again, stopped at once: 1 of 4 graded; "
                                       "run the same command again to grade the rest\n")
    assert sorted(os.listdir(out)) == ["a", "grades.csv"]  # no summary


#: A runner: starts a tethered judge stand-in, says its pid, waits to be killed.
RUNNER = """
import os, subprocess, sys
judge = subprocess.Popen([sys.executable, "-c", "import autograder.grade.tether, time; print(flush=True); time.sleep(120)"],
                         env=dict(os.environ, {env}=str(os.getpid())), start_new_session=True, stdout=subprocess.PIPE)
judge.stdout.readline()
print(judge.pid, flush=True)
judge.wait()
"""


def _gone(pid, timeout=10):
    """Whether process ``pid`` ends (or is a zombie) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_a_judge_dies_with_its_runner():
    """Judges run in sessions of their own: a runner killed outright (SIGKILL) must not leave them grading on."""
    runner = subprocess.Popen([sys.executable, "-c", RUNNER.format(env=RUNNER_ENV)], cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, text=True)
    judge = int(runner.stdout.readline())
    assert psutil.Process(judge).status() != psutil.STATUS_ZOMBIE
    runner.kill()
    runner.wait()
    assert _gone(judge)
    late = subprocess.run([sys.executable, "-c", "import autograder.grade.tether"], cwd=ROOT, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), **{RUNNER_ENV: "1"}))
    assert late.returncode == 1  # its runner (here: not its parent) had ended before the tether held
