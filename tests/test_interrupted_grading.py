"""A class run stopped by SIGINT, SIGTERM and SIGKILL at several points, then run again, ends with the outputs
of one uninterrupted run; while it is being stopped and killed, no output file is ever half written.

The class is the bundled examples (5 students), graded two at a time by the real command in a process of
its own: a Ctrl-C is SIGINT to its process group (as a terminal sends it), a ``kill`` SIGTERM to the runner
alone, the out-of-memory killer SIGKILL to the runner alone.
"""
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from conftest import ROOT, timeless

from autograder import paths
from autograder.grade.atomic import PARTIAL
from autograder.grade.report import STUDENT_FILES
from autograder.results import SubmissionResult

pytestmark = pytest.mark.slow

STUDENTS = sorted(p.stem for p in paths.EXAMPLES.glob("*.ipynb"))
LINE = re.compile(r"interrupted: (\d+) of 5 graded; run the same command again to grade the rest")


def _check(path):
    """Raise if the output file ``path`` is not whole (unparsable, truncated)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        json.loads(data)
        if path.name == "grading.json":
            SubmissionResult.from_signed_json(data)
    elif path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(data.decode())))
        assert rows and all(len(row) == len(rows[0]) for row in rows), path
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>"), path
    elif path.suffix == ".png":
        assert data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82"), path
    else:
        assert data.endswith(b"\n"), path


def _state(out):
    """``(students with a whole folder, students in grades.csv)``, checking every visible output file."""
    folders = set()
    for entry in sorted(os.listdir(out)) if out.exists() else []:
        path = out / entry
        if entry.startswith("."):
            assert PARTIAL in entry, entry  # a write in progress (or one a killed run left)
        elif path.is_dir():
            try:
                names = os.listdir(path)
                assert sorted(names) == sorted(STUDENT_FILES), (entry, names)
                for name in names:
                    _check(path / name)
            except FileNotFoundError:  # swapped out between listing and reading: the new one comes next
                continue
            folders.add(entry)
        else:
            _check(path)
    rows = csv.DictReader(io.StringIO((out / "grades.csv").read_text())) if (out / "grades.csv").exists() else []
    return folders, {row["student"] for row in rows}


class Watcher(threading.Thread):
    """Checks every output file over and over while the runs go on; keeps the first problem found."""

    def __init__(self, out):
        super().__init__(daemon=True)
        self.out, self.rounds, self.problem, self.running = out, 0, None, True

    def run(self):
        while self.running and not self.problem:
            try:
                _state(self.out)
                self.rounds += 1
            except FileNotFoundError:
                continue  # grades.csv or a file replaced between listing and opening
            except Exception as err:  # noqa: BLE001 (the test reports it)
                self.problem = f"{type(err).__name__}: {err}"
            time.sleep(0.02)


def _start(out, tmp_path, run):
    """The README's grade command on the examples, in a session of its own; stdout, stderr to files."""
    logs = [open(tmp_path / f"{run}.{name}", "w") for name in ("out", "err")]
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(paths.EXAMPLES), "--out", str(out),
                             "--workers", "2", "--no-progress"], cwd=ROOT, start_new_session=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=logs[0], stderr=logs[1])
    proc.logs = [f.name for f in logs]
    return proc


def _until(proc, condition, timeout=600):
    """Wait until ``condition()`` holds (True) or the run ended (False)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def _ended(proc, timeout=120):
    proc.wait(timeout)
    return [open(name).read() for name in proc.logs]


def _writing(out, before):
    """A student's folder is being written, or one more is in."""
    return lambda: any(PARTIAL in e for e in os.listdir(out)) or len(_state(out)[0]) > before


def _interrupted(proc, out, status):
    """The run ended with ``status``, said so in one line, and its count is the students with outputs."""
    stdout, stderr = _ended(proc)
    assert proc.returncode == status and "Traceback" not in stderr, stderr
    folders, rows = _state(out)
    assert LINE.fullmatch(stderr.splitlines()[-1]) and int(LINE.match(stderr.splitlines()[-1])[1]) == len(folders), stderr
    assert rows == folders and f"Class summary: {len(folders)} student" in (out / "summary.txt").read_text()
    return folders


def _outputs(out):
    files = {"grades.csv": (out / "grades.csv").read_text()}
    for student in STUDENTS:
        for name in ("results.json", "feedback.md", "feedback.html"):
            files[f"{student}/{name}"] = timeless((out / student / name).read_text())
    return files


def test_interrupted_and_killed_runs_end_as_one_uninterrupted_run(graded_examples, tmp_path):
    out = tmp_path / "grades"
    watcher = Watcher(out)
    watcher.start()

    proc = _start(out, tmp_path, "ctrl-c")  # Ctrl-C once the first student is graded, another in flight
    assert _until(proc, lambda: len(_state(out)[0]) >= 1)
    os.killpg(proc.pid, signal.SIGINT)
    done = _interrupted(proc, out, 130)

    proc = _start(out, tmp_path, "term-at-start")  # before anything is graded (its first line is printed)
    assert _until(proc, lambda: os.path.getsize(proc.logs[0]) > 0)
    proc.send_signal(signal.SIGTERM)
    assert _interrupted(proc, out, 143) == done

    proc = _start(out, tmp_path, "term-while-writing")
    assert _until(proc, _writing(out, len(done)))
    proc.send_signal(signal.SIGTERM)
    assert _interrupted(proc, out, 143) > done  # the student being written is kept whole
    done = _state(out)[0]

    proc = _start(out, tmp_path, "kill-while-writing")
    assert _until(proc, _writing(out, len(done)))
    family = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait(60)
    folders, rows = _state(out)  # what the kill left
    assert folders >= done and rows <= folders
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, [p.cmdline() for p in alive]  # judges, zygote and sandboxes went with the runner

    proc = _start(out, tmp_path, "rest")
    stdout, stderr = _ended(proc, timeout=900)
    watcher.running = False
    watcher.join()
    assert proc.returncode == 0, stderr
    assert f"{len(folders)} of 5 results reused from an earlier run" in stdout
    assert watcher.problem is None and watcher.rounds > 100, (watcher.problem, watcher.rounds)
    assert not [e for e in os.listdir(out) if e.startswith(".")]
    assert _outputs(out) == _outputs(graded_examples[0])
