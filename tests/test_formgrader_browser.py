"""Formgrader in a real browser, offline: the course's Jupyter server, headless Chromium, manual grading.

A scratch copy of the course releases the assignment, grades one submission (the reference) and puts it
into the gradebook as the README says.  The course's Jupyter server then runs and Chromium (Debian's
``chromium``, driven by Playwright; no browser is downloaded) opens formgrader's manual grading of that
submission with every request that leaves the machine refused and recorded.  The page must load
MathJax from the server and finish setting up (formgrader's script needs MathJax), show every formula
of the written answers rendered (none left as TeX), take a score and a comment, and log no page error;
``nbgrader export`` must then count the score, and the feedback page made afterwards must show the
comment's formula rendered and name every check in words.  The assignments page must show no exchange
warning, and the server's log no ``Unwritable directory`` line.
"""
import csv
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, _activated, run
from autograder import paths

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")  # scripts/setup.sh installs Debian's chromium
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
COMMENT = "Right idea; the log-det is $\\sum_i s_i$ for every $x$."


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def graded_course(checkout):
    """The scratch course after the README's steps 1-4 for one student, ana (the reference solution)."""
    folder = checkout / "submitted" / "ana" / "assignment07"
    folder.mkdir(parents=True)
    shutil.copy(paths.EXAMPLES / "reference.ipynb", folder / "assignment07.ipynb")
    proc = run("set -euo pipefail\nsource .venv/bin/activate\n"
               "nbgrader generate_assignment assignment07 --force\n"
               "python -m autograder grade submitted/ --out grades/ --workers 1 --no-progress\n"
               "AUTOGRADER_RESULTS=grades/ nbgrader autograde assignment07 --force\n", checkout, timeout=900,
               env=_activated())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for noise in ("SAWarning", "not recognized", "Unwritable directory", "Downloading"):
        assert noise not in proc.stdout + proc.stderr, noise
    return checkout


@pytest.fixture
def server(graded_course, tmp_path):
    """``(base url, token, log path, course)``: the course's Jupyter server, started in the course folder."""
    port, token, log = _free_port(), "formgrader-test", tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(BIN / "jupyter"), "server", "--no-browser", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1", "--allow-root",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={graded_course}"],
            cwd=graded_course, env=_activated({"HOME": str(tmp_path)}), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, log.read_text()[-3000:]
                time.sleep(0.5)
        yield base, token, log, graded_course
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _submission_id(course):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return gb.find_submission_notebook("assignment07", "assignment07", "ana").id


def _raw_tex(page, selector):
    """Text of the elements matching ``selector`` that still reads like TeX ($...$ or a \\command), code and
    rendered formulas aside."""
    texts = page.eval_on_selector_all(selector, """els => els.map(e => {
        const c = e.cloneNode(true);
        c.querySelectorAll("pre, code, script, math, .MathJax, .MathJax_Display").forEach(x => x.remove());
        return c.textContent; })""")
    return [m for t in texts for m in re.findall(r"\$[^$\n]+\$|\\[A-Za-z]{2,}", t)]


def _browser(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def _watch(page, base):
    """Record page errors, console errors and every request that would leave the machine (refused)."""
    seen = {"errors": [], "console": [], "outside": []}
    page.on("pageerror", lambda err: seen["errors"].append(str(err)))
    page.on("console", lambda msg: msg.type == "error" and seen["console"].append(msg.text))

    def route(r):
        if r.request.url.startswith((base, "data:", "about:", "file:")):
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()
    page.route("**/*", route)
    return seen


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh installs it)")
def test_manual_grading_in_formgrader_offline(server):
    from playwright.sync_api import sync_playwright

    base, token, log, course = server
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page()
        seen = _watch(page, base)
        page.goto(f"{base}/formgrader?token={token}")
        page.wait_for_load_state("networkidle")
        assert "exchange directory" not in page.inner_text("body").lower()

        page.goto(f"{base}/formgrader/submissions/{_submission_id(course)}/?index=0")
        page.wait_for_function("window.MathJax && MathJax.loaded === true", timeout=60_000)
        answers = "#notebook .nbgrader_cell .text_cell_render"
        assert page.locator(f"{answers} .MathJax, {answers} math").count() >= 10  # the two written answers
        assert _raw_tex(page, answers) == []

        with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT"):
            page.fill("input.score#answer_toy", "2")
            page.press("input.score#answer_toy", "Tab")
        with page.expect_response(lambda r: "/api/comment/" in r.url and r.request.method == "PUT"):
            page.fill("textarea#answer_toy-comment", COMMENT)
            page.press("textarea#answer_toy-comment", "Tab")
        page.click(".help")  # formgrader's "?" (keyboard shortcuts): set up only once MathJax was there
        page.wait_for_selector("#help-dialog", state="visible")
        browser.close()
    assert seen == {"errors": [], "console": [], "outside": []}
    assert "Unwritable directory" not in log.read_text()

    proc = run("set -euo pipefail\nsource .venv/bin/activate\nnbgrader export --to gradebook.csv\n"
               "nbgrader generate_feedback assignment07 --force\n", course, timeout=600, env=_activated())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "not recognized" not in proc.stderr and "SAWarning" not in proc.stderr
    row = next(csv.DictReader(open(course / "gradebook.csv")))
    assert (row["student_id"], float(row["score"]), float(row["max_score"])) == ("ana", 40.0, 43.0)  # 38 + 2

    feedback = course / "feedback" / "ana" / "assignment07" / "assignment07.html"
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page()
        seen = _watch(page, "file://")
        page.goto(feedback.as_uri())
        assert page.locator("math").count() >= 10 and page.locator(".panel-footer math").count() >= 2  # the comment
        assert _raw_tex(page, ".text_cell_render, .panel-footer") == []
        toc = page.inner_text("#toc")
        assert "Test cell" not in toc and "Coupling inverse" in toc and "Log likelihood (normal)" in toc
        browser.close()
    assert seen == {"errors": [], "console": [], "outside": []}

