"""Grade many submissions: one judge process (pytest) per submission, N at a time, one shared zygote.

Each judge runs in a session of its own, tied to the runner (:mod:`.tether`): a Ctrl-C in the terminal
reaches the runner alone, which stops its judges itself (:mod:`.stop`), and a runner that is killed
takes its judges with it.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from .. import packs, paths
from ..notebook import NotebookError, parse_notebook, read_input
from ..results import NOT_RUN, REFUSED, SubmissionResult, TestResult
from ..version import graded_with
from ..wire.budgets import JUDGE_GRACE_S, SUBMISSION_BUDGET_S as JUDGE_BUDGET_S
from ..wire.names import RUNNER_ENV, ZYGOTE_ENV
from ..wire.plan import launch_env
from ..wire import cgroups
from ..worker.zygote import listen
from .stop import Stop, Stopped


def _pytest(pack, *args):
    return [sys.executable, "-m", "pytest", "-p", "autograder.grade.tether", "-p", "autograder.judge.plugin",
            "-p", "no:cacheprovider", "-q", "--no-header", "-o", "addopts=", "--rootdir", str(paths.ROOT),
            str(pack.graders), "--assignment", pack.id, *args]


def _env(zygote=None):
    """The judge's environment (the judge never runs student code; its workers get :func:`launch_env`)."""
    env = dict(os.environ, PYTHONPATH=str(paths.ROOT), **{RUNNER_ENV: str(os.getpid())})
    env.pop(ZYGOTE_ENV, None)
    if zygote:
        env[ZYGOTE_ENV] = zygote
    return env


def manifest(pack=None):
    """The graded tests of ``pack`` (name, points, hidden, description), as collected by pytest."""
    pack = pack or packs.load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "manifest.json")
        subprocess.run(_pytest(pack, "--collect-only", "--manifest", str(out)), cwd=paths.ROOT, env=_env(),
                       start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if not out.exists():
            raise RuntimeError("could not collect the graders")
        return json.loads(out.read_text())


@contextmanager
def zygote(enabled=True, pack=None):
    """Start a zygote (what ``pack``'s worker preloads, e.g. TensorFlow) for this run; yields its socket path
    (None if not ``enabled``).

    The path is yielded at once: the runner binds the socket and the zygote inherits it already
    listening, so judges start and connect while it still imports TensorFlow; their connections wait
    in its backlog (the worker's hello timeout covers the import).  The zygote holds the only copy of
    the socket: if it dies, connecting fails and judges start fresh workers.  It gets the worker's clean
    environment: its children, the sandboxes, inherit that environment.
    """
    if not enabled:
        yield None
        return
    pack = pack or packs.load()
    with tempfile.TemporaryDirectory(prefix="autograder-zygote-") as tmp:
        path = os.path.join(tmp, "zygote.sock")
        with listen(path) as listener:
            fd = listener.fileno()
            proc = subprocess.Popen([sys.executable, "-m", "autograder.worker.zygote", "--fd", str(fd),
                                     *pack.worker_args()],
                                    pass_fds=[fd], cwd=paths.ROOT, env=launch_env(os.environ, pack.quick_env),
                                    start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        try:
            yield path
        finally:
            proc.kill()
            proc.wait()


def _judge(result, data, zygote_socket, budget, judge_args, stop, pack):
    """Run the judge on the notebook ``data`` (a private copy: the file graded is the file read); fill ``result``.

    Raises:
        Stopped: ``stop`` killed the judge (what it had found is not a result).
    """
    with tempfile.TemporaryDirectory(prefix="autograder-judge-") as tmp:
        copy, out = Path(tmp, f"{pack.id}.ipynb"), Path(tmp, "results.json")
        copy.write_bytes(data)
        cmd = _pytest(pack, "--submission", str(copy), "--results-json", str(out), "--budget", str(budget), *judge_args)
        with subprocess.Popen(cmd, cwd=paths.ROOT, env=_env(zygote_socket), start_new_session=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc, \
                stop.tracking(proc):
            try:
                output = proc.communicate(timeout=budget + JUDGE_GRACE_S)[0]
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                result.error = f"grading stopped after {budget + JUDGE_GRACE_S:.0f} s"
        if proc.returncode < 0 and stop.killed(proc):
            raise Stopped()
        if proc.returncode not in (0, 1) and not result.error:
            result.error = f"judge exited with status {proc.returncode}: {output.decode()[-2000:]}"
        if out.exists():
            data = json.loads(out.read_text())
            by_name = {t["name"]: t for t in data.get("tests", [])}
            for t in result.tests:
                got = by_name.get(t.name)
                if got:
                    t.score, t.passed, t.message = got["score"], got["passed"], got["message"]
                    t.seconds, t.measures = got.get("seconds", 0.0), got.get("measures", {})
            result.worker = data.get("worker", {})


def grade_one(student, notebook, tests, zygote_socket=None, budget=JUDGE_BUDGET_S, judge_args=(), stop=None,
              pack=None):
    """Run the judge of ``pack`` (default: the course's default assignment) on one notebook; returns a
    SubmissionResult with every test in it, unless ``stop`` stops it.

    The notebook is read once (:func:`autograder.notebook.read_input`: a regular file under the size
    cap) and must be well formed (:func:`autograder.notebook.parse_notebook`); otherwise no judge starts
    and the result is an error (score 0, one line saying why).  Nothing that goes wrong here stops the run.

    Raises:
        Stopped: ``stop`` (a :class:`.stop.Stop`) was requested before the judge started or while it ran.
    """
    stop, pack = stop or Stop(), pack or packs.load()
    stop.check()
    result = SubmissionResult(student=student, notebook=str(notebook), graded_with=graded_with(pack),
                              tests=[TestResult(name=t["name"], points=t["points"], hidden=t["hidden"],
                                                description=t["description"]) for t in tests])
    started = time.monotonic()
    try:
        data = read_input(notebook)
        result.sha256 = hashlib.sha256(data).hexdigest()
        parse_notebook(data)
        _judge(result, data, zygote_socket, budget, judge_args, stop, pack)
    except Stopped:
        raise
    except NotebookError as err:
        result.error = f"{REFUSED}{err}"
    except Exception as err:  # noqa: BLE001 (grading this one submission failed: its result says so)
        result.error = f"grading failed: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
    if result.error:
        for t in result.tests:
            if not t.passed and t.message.startswith(NOT_RUN):
                t.message = f"{NOT_RUN}{result.error.splitlines()[0]}"
    result.seconds = round(time.monotonic() - started, 2)
    return result


def grade_submissions(submissions, workers=2, use_zygote=True, progress=True, budget=JUDGE_BUDGET_S,
                      judge_args=None, on_result=None, stop=None, pack=None):
    """Grade ``[(student, notebook)]`` of ``pack`` (default: the course's default assignment) with ``workers``
    judges at a time; results in input order.

    Args:
        judge_args: optional list, per submission, of extra judge options (e.g. ``--seed-offset``).
        on_result: called with each result as soon as it is in, in the calling thread.
        stop: a :class:`.stop.Stop`; once requested, no submission starts and those in flight are
            stopped: they (and the ones not started) are None in the list returned.
    """
    stop, workers, pack = stop or Stop(), max(1, workers), pack or packs.load()
    results = [None] * len(submissions)
    if not submissions or stop.signum is not None:
        return results
    waiting = iter(enumerate(submissions))
    running = {}  # future -> index; a submission starts only when a judge is free, so a stop leaves none queued
    bar = None
    with zygote(enabled=use_zygote, pack=pack) as zsock, ThreadPoolExecutor(max_workers=workers) as pool:
        tests = manifest(pack)  # while the zygote imports TensorFlow
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(submissions), desc="grading", unit="submission", file=sys.stderr)
        try:
            while True:
                while len(running) < workers and stop.signum is None and (item := next(waiting, None)):
                    i, (student, nb) = item
                    running[pool.submit(grade_one, student, nb, tests, zsock, budget,
                                        judge_args[i] if judge_args else (), stop, pack)] = i
                if not running:
                    return results
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = running.pop(fut)
                    try:
                        results[i] = fut.result()
                    except Stopped:
                        continue
                    if bar:
                        bar.update(1)
                    if on_result:
                        on_result(results[i])
        finally:
            if bar:
                bar.close()
            cgroups.sweep()  # the groups of sandboxes whose judge was killed (each judge removes its own)
