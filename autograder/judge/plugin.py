"""pytest plugin of the judge: options, the ``points`` marker, and the per-test results file.

Loaded with ``-p autograder.judge.plugin``.  Results are written after every test, so whatever
happens to the judge later, what it established is on disk.
"""
import hashlib
import json
import os
import time

import pytest

from .. import notebook, packs
from ..wire.budgets import SUBMISSION_BUDGET_S
from . import seeds
from .client import Worker
from .facade import Submission



def pytest_addoption(parser):
    group = parser.getgroup("autograder", "course autograder")
    group.addoption("--assignment", default=None, help="the assignment (a pack's id; default: the course's default)")
    group.addoption("--submission", help="notebook to grade")
    group.addoption("--results-json", help="write per-test results here (JSON)")
    group.addoption("--manifest", help="write the list of graded tests with their points here (JSON)")
    group.addoption("--seed-offset", type=int, default=seeds.GRADING_VARIANT,
                    help="selects another of the judge's keyed random streams for the same file; calibration "
                         "and stability runs grade with many (default %(default)s: a grading run's)")
    group.addoption("--budget", type=float, default=SUBMISSION_BUDGET_S,
                    help="wall-clock seconds the submission's worker may use in all (default %(default)g)")


def pytest_configure(config):
    seeds.VARIANT = config.getoption("seed_offset")
    path = config.getoption("submission")
    if path:
        try:
            seeds.SUBMISSION = hashlib.sha256(notebook.read_input(path)).hexdigest()
        except notebook.NotebookError:
            seeds.SUBMISSION = ""  # the submission fixture reports why it cannot be read
    config.addinivalue_line("markers", "points(n): the number of points this graded test is worth")
    config.addinivalue_line("markers", "hidden: the student sees this test's name and result only after grading")
    config.pluginmanager.register(Results(config), "autograder-results")


def points_of(item):
    marker = item.get_closest_marker("points")
    return float(marker.args[0]) if marker else 0.0


class Results:
    """Every check's result of this run, written to ``--results-json`` after each test (a plugin object per
    run: nothing of one run is kept at module level)."""

    def __init__(self, config):
        self.config, self.tests = config, []

    def write(self):
        path = self.config.getoption("results_json")
        if path:
            tmp = f"{path}.tmp"
            with open(tmp, "w") as f:
                json.dump({"tests": self.tests, "worker": getattr(self.config, "_worker_info", {})}, f, indent=1)
            os.replace(tmp, path)

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            message = ""
            if report.outcome != "passed":
                crash = getattr(report.longrepr, "reprcrash", None)
                message = crash.message if crash is not None else str(report.longrepr)
                message = message.removeprefix("Failed: ")
            self.tests.append({"name": report.nodeid.split("::")[-1], "points": report.points,
                               "score": report.points if report.outcome == "passed" else 0.0,
                               "passed": report.outcome == "passed", "description": report.doc,
                               "hidden": report.hidden, "message": message, "seconds": round(report.duration, 2),
                               "measures": {k.removeprefix("measure:"): v for k, v in report.user_properties
                                            if k.startswith("measure:")}})

    def pytest_runtest_teardown(self, item):
        self.write()


def _write(config):
    config.pluginmanager.get_plugin("autograder-results").write()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.points = points_of(item)
    report.hidden = item.get_closest_marker("hidden") is not None
    report.doc = (item.obj.__doc__ or "").strip().splitlines()[0] if item.obj.__doc__ else ""


@pytest.fixture
def measure(record_property):
    """``measure(name, value, limit, fail=None, at_least=False)``: record a statistic beside its limit.

    With ``fail`` (a message, or a function of the value that makes one) the check fails unless
    ``value < limit`` (``value >= limit`` with ``at_least``): each limit is written once.
    """
    def record(name, value, limit, fail=None, at_least=False):
        value = float(value)
        record_property(f"measure:{name}", {"value": value, "limit": float(limit), "at_least": bool(at_least)})
        within = value >= limit if at_least else value < limit
        if fail is not None and not within:
            pytest.fail(fail(value) if callable(fail) else fail, pytrace=False)
        return value
    return record


@pytest.fixture(scope="session")
def submission(request):
    """The submission under grading, served by a confined worker."""
    config = request.config
    path = config.getoption("submission")
    if not path:
        pytest.exit("--submission is required", returncode=4)
    pack = packs.load(config.getoption("assignment"))
    program = notebook.assemble(path, pack=pack)
    started = time.monotonic()
    worker = Worker(program, budget_s=config.getoption("budget"), pack=pack)
    sub = Submission(worker, program, budget_s=config.getoption("budget"), changes_weights=pack.changes_weights)
    if pack.twin:
        sub.start_twin()
    try:
        yield sub
    finally:
        sub.close()
        config._worker_info = {**sub.info(), "seconds": round(time.monotonic() - started, 2)}
        _write(config)


def pytest_collection_modifyitems(config, items):
    """Run and report the checks in the notebook's order (the pack's ``SECTION_ORDER``: a stable sort by
    module; unknown ones last)."""
    rank = {name: i for i, name in enumerate(packs.load(config.getoption("assignment")).section_order)}
    items.sort(key=lambda item: rank.get(item.module.__name__.rsplit(".", 1)[-1], len(rank)))


def pytest_collection_finish(session):
    """With ``--manifest FILE``: write every graded test's name, points and visibility."""
    path = session.config.getoption("manifest")
    if path:
        tests = [{"name": item.nodeid.split("::")[-1], "points": points_of(item),
                  "hidden": item.get_closest_marker("hidden") is not None,
                  "description": (item.obj.__doc__ or "").strip().splitlines()[0] if item.obj.__doc__ else ""}
                 for item in session.items]
        with open(path, "w") as f:
            json.dump(tests, f, indent=1)
