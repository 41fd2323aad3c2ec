"""Grading speed in one run: our runner against a plain nbgrader course and against our own nbgrader route.

Every contender grades N copies of the same submission (the release with the reference's solution cells):

* ours: ``python -m autograder grade submitted/ --out grades/`` in a scratch copy of the course, a class run
  with 1 judge and with 2 judges, and a run that grades one submission;
* (a) a plain nbgrader course: a scratch course with a vanilla ``nbgrader_config.py`` (no ``autograder``
  package, nbgrader's default preprocessors, TensorFlow logging silenced and quick mode for the kernel) whose
  source notebook is ours with each hidden check cell's body replaced by plain asserts (``PLAIN_CHECKS``: a
  translation of every grader check, same grade ids and points) run in the student's kernel by
  ``nbgrader autograde``;
* (b) our nbgrader route: the 1-judge run of ours, then ``AUTOGRADER_RESULTS=grades/ nbgrader autograde``.

Prints a table of seconds per submission and the ratios ours/(a), ours/(b) and (b)/(a), then one JSON line.

    PYTHONPATH=. .venv/bin/python benchmarks/grading.py [--students 6] [--skip-experiments] [--smoke]
"""
import argparse
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "assignment07"
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_checkout  # noqa: E402  (the tests' scratch copy of this checkout)

#: The plain course's configuration: nbgrader's defaults, the kernel's TensorFlow silenced (a test cell that
#: writes to stderr gets 0 points) and quick training budgets, as the course's own kernels get them.
PLAIN_CONFIG = '''import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("NICE_QUICK", "1")
c = get_config()
c.CourseDirectory.course_id = "plain-nice"
c.Execute.timeout = 180
'''
#: With --skip-experiments the kernel skips the cells that train on MNIST or make plots, as our runner does.
SKIP_EXPERIMENTS = 'c.Execute.skip_cells_with_tag = "experiment"\n'

_PERTURB = ("def _perturbed(_m, _x, _scale=0.3, _seed=0):\n"
            "    _m.forward(tf.constant(_x, tf.float32))  # builds every layer\n"
            "    _r = np.random.default_rng(_seed)\n"
            "    _m.set_weights([w + _scale * _r.standard_normal(w.shape).astype(w.dtype) for w in _m.get_weights()])\n"
            "    return _m\n"
            "def _jacobian(_f, _x):\n"
            "    _x = tf.constant(_x, tf.float32)\n"
            "    with tf.GradientTape() as _t:\n"
            "        _t.watch(_x)\n"
            "        _y = _f(_x)\n"
            "    return _t.batch_jacobian(_y, _x).numpy()\n"
            "def _count(_m):\n"
            "    return sum(int(np.prod(v.shape)) for v in _m.trainable_variables)\n"
            "def _prior(_name, _dim):\n"
            "    _base = tfd.Logistic if _name == 'logistic' else tfd.Normal\n"
            "    return tfd.Independent(_base(tf.zeros(_dim), tf.ones(_dim)), 1)\n"
            "def _true_log_p(_m, _x, _name):  # computed here: prior of forward(x) + log|det| of its Jacobian\n"
            "    _z = _m.forward(tf.constant(_x, tf.float32))\n"
            "    return _prior(_name, _x.shape[1]).log_prob(_z).numpy() + np.linalg.slogdet(_jacobian(_m.forward, _x))[1]\n"
            "_rng = np.random.default_rng(7)\n"
            "tf.keras.utils.set_random_seed(7)\n")

#: grade_id -> the body of the plain course's hidden test region: what each grader check asserts, as asserts
#: in the student's kernel (the helpers above come first, in the first check cell).
PLAIN_CHECKS = {
    "hidden_test_coupling_inverse": _PERTURB + """
for _p in (0, 1):
    _layer = CouplingLayer(5, _p)
    _x = tf.constant(_rng.normal(size=(16, 5)), tf.float32)
    assert np.max(np.abs(_layer.backward(_layer.forward(_x)) - _x)) < 1e-4, f"backward(forward(x)) != x, parity {_p}"
    assert np.max(np.abs(_layer.forward(_layer.backward(_x)) - _x)) < 1e-4, f"forward(backward(z)) != z, parity {_p}"
""",
    "hidden_test_coupling_structure": """
for _p, _keep, _change in ((0, slice(0, 2), slice(2, 5)), (1, slice(2, 5), slice(0, 2))):
    _layer = CouplingLayer(5, _p)
    _x = _rng.normal(size=(16, 5)).astype(np.float32)
    _y = _layer.forward(tf.constant(_x)).numpy()
    assert np.array_equal(_y[:, _keep], _x[:, _keep]), f"parity {_p}: the pass-through half changed"
    assert not np.allclose(_y[:, _change], _x[:, _change]), f"parity {_p}: the other half is not shifted"
    _x2 = _x.copy()
    _x2[:, _change] += 1.0
    _d = _layer.forward(tf.constant(_x2)).numpy()[:, _change] - _y[:, _change]
    assert np.allclose(_d, 1.0, atol=1e-4), f"parity {_p}: the shift depends on the half it shifts"
""",
    "hidden_test_coupling_own_network": """
_x = tf.constant(_rng.normal(size=(8, 4)), tf.float32)
assert not np.allclose(CouplingLayer(4, 0).forward(_x), CouplingLayer(4, 0).forward(_x)), "two layers share a network"
""",
    "hidden_test_inpainting_step_rule": """
_m = _perturbed(NICE(4, num_couplings=4, hidden_units=(16,)), np.zeros((1, 4)))
_x = _rng.uniform(-1, 1, (3, 4)).astype(np.float32)
_obs = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 0, 0]], np.float32)
_eps = (3 * _rng.standard_normal((3, 4))).astype(np.float32)
_xt = tf.constant(_x)
with tf.GradientTape() as _t:
    _t.watch(_xt)
    _lp = tf.reduce_sum(_m.prior.log_prob(_m.forward(_xt)))
_want = np.where(_obs > 0, _x, np.clip(_x + 0.5 * (_t.gradient(_lp, _xt).numpy() + _eps), -1.0, 1.0))
_got = np.asarray(inpainting_step(_m, _xt, tf.constant(_obs), tf.constant(0.5), tf.constant(_eps), (-1.0, 1.0)))
assert np.allclose(_got, _want, atol=1e-4), "inpainting_step is not x_H <- clip(x_H + a (grad log p + eps))"
""",
    "hidden_test_inpaint_behaviour": """
_m = _perturbed(NICE(4, num_couplings=4, hidden_units=(16,)), np.zeros((1, 4)))
_x = _rng.uniform(-1, 1, (32, 4)).astype(np.float32)
_x[:, [0, 2]] = 4.5
_out = inpaint(_m, _x, np.tile([0.0, 1.0, 0.0, 1.0], (32, 1)), steps=60, data_range=(-5.0, 5.0), seed=3)
assert np.array_equal(_out[:, [1, 3]], _x[:, [1, 3]]), "inpaint changed observed entries"
assert np.mean(np.abs(_out[:, [0, 2]] - _x[:, [0, 2]]) > 1e-4) > 0.9, "inpaint did not change the hidden entries"
assert _out.min() >= -5 - 1e-6 and _out.max() <= 5 + 1e-6, "inpaint left the data range"
assert _true_log_p(_m, _out, "logistic").mean() >= _true_log_p(_m, _x, "logistic").mean() + 1.0, "log p did not rise"
""",
    "hidden_test_log_likelihood-logistic": """
_x = _rng.normal(size=(16, 4)).astype(np.float32)
_m = _perturbed(NICE(4, prior="logistic"), _x)
assert np.allclose(np.asarray(log_likelihood(_m, tf.constant(_x))), _true_log_p(_m, _x, "logistic"), atol=1e-3)
""",
    "hidden_test_log_likelihood-normal": """
_x = _rng.normal(size=(16, 4)).astype(np.float32)
_m = _perturbed(NICE(4, prior="normal"), _x)
assert np.allclose(np.asarray(log_likelihood(_m, tf.constant(_x))), _true_log_p(_m, _x, "normal"), atol=1e-3)
""",
    "hidden_test_nll_loss": """
_x = _rng.normal(size=(16, 4)).astype(np.float32)
_m = _perturbed(NICE(4), _x)
_loss = nll_loss(_m, tf.constant(_x))
assert np.shape(_loss) == () and abs(float(_loss) + _true_log_p(_m, _x, "logistic").mean()) < 1e-3, "not the mean NLL"
""",
    "hidden_test_batch_of_one": """
_x = _rng.normal(size=(1, 4)).astype(np.float32)
_m = _perturbed(NICE(4), _x)
assert _m.forward(tf.constant(_x)).shape == (1, 4) and _m.backward(tf.constant(_x)).shape == (1, 4)
assert np.shape(log_likelihood(_m, tf.constant(_x))) == (1,) and np.shape(outlier_score(_m, _x)) == (1,)
assert np.shape(nll_loss(_m, tf.constant(_x))) == ()
""",
    "hidden_test_nice_inverse": """
_x = _rng.normal(size=(32, 5)).astype(np.float32)
_m = _perturbed(NICE(5, num_couplings=4, hidden_units=(16, 16)), _x)
assert np.max(np.abs(_m.backward(_m.forward(tf.constant(_x))) - _x)) < 1e-4, "backward(forward(x)) != x"
assert np.max(np.abs(_m.forward(_m.backward(tf.constant(_x))) - _x)) < 1e-4, "forward(backward(z)) != z"
""",
    "hidden_test_nice_alternation": """
for _k in (2, 3, 4, 5):
    _x = _rng.normal(size=(3, 4)).astype(np.float32)
    _J = np.abs(_jacobian(NICE(4, num_couplings=_k, hidden_units=(16,)).forward, _x))
    assert _J[:, :2, 2:].max(axis=(0, 2)).min() > 1e-6 and _J[:, 2:, :2].max(axis=(0, 2)).min() > 1e-6, \\
        f"{_k} couplings: some outputs never depend on the other half (the parities do not alternate)"
""",
    "hidden_test_nice_separate_networks": """
_x = np.zeros((1, 4), np.float32)
_one = CouplingLayer(4, 0)
_one.forward(tf.constant(_x))
_m = NICE(4, num_couplings=4)
_m.forward(tf.constant(_x))
assert _count(_m) >= 4 * _count(_one), "the couplings share networks"
""",
    "hidden_test_nice_num_couplings": """
_counts = []
for _k in (1, 2, 3, 5):
    _m = NICE(4, num_couplings=_k)
    _m.forward(tf.zeros((1, 4)))
    _counts.append(_count(_m))
assert _counts == sorted(set(_counts)), f"parameter counts for 1, 2, 3, 5 couplings: {_counts}"
_J = np.abs(_jacobian(NICE(4, num_couplings=1).forward, _rng.normal(size=(3, 4))))
assert min(_J[:, :2, 2:].max(), _J[:, 2:, :2].max()) == 0.0, "one coupling: no half passes through"
""",
    "hidden_test_nice_hidden_units": """
_counts = []
for _h in ((8,), (32, 32), (64, 64, 64)):
    _m = NICE(4, hidden_units=_h)
    _m.forward(tf.zeros((1, 4)))
    _counts.append(_count(_m))
assert _counts == sorted(set(_counts)), f"parameter counts for hidden units (8,), (32, 32), (64, 64, 64): {_counts}"
""",
    "hidden_test_scaling_layer_log_det": """
_layer = ScalingLayer(4)
_x = _rng.uniform(0.5, 2.0, (8, 4)).astype(np.float32)
_layer.forward(tf.constant(_x))
_layer.set_weights([w + _rng.uniform(-0.7, 0.7, w.shape).astype(w.dtype) for w in _layer.get_weights()])
_y = _layer.forward(tf.constant(_x)).numpy()
_ratio = _y / _x
assert np.allclose(_ratio, _ratio[0], rtol=1e-4), "forward is not a per-dimension scaling"
assert abs(float(_layer.log_det_jacobian()) - np.log(np.abs(_ratio[0])).sum()) < 1e-3, "log-det is not sum log|scale|"
assert np.max(np.abs(_layer.backward(tf.constant(_y)) - _x)) < 1e-4, "backward does not undo the scaling"
""",
    "hidden_test_model_log_det_matches_jacobian": """
_x = _rng.normal(size=(4, 4)).astype(np.float32)
_m = _perturbed(NICE(4), _x)
assert np.allclose(np.linalg.slogdet(_jacobian(_m.forward, _x))[1], float(_m.log_det_jacobian()), atol=1e-3)
""",
    "hidden_test_sampling": """
_m = _perturbed(NICE(4), np.zeros((1, 4)))
_s = np.asarray(_m.sample(2000, seed=1))
assert _s.shape == (2000, 4) and np.all(np.isfinite(_s)), "sample(n) is not n finite points"
_z = _m.forward(tf.constant(_s, tf.float32)).numpy()
assert np.all(np.abs(_z.mean(0)) < 0.25) and np.all(np.abs(_z.std(0) - np.pi / 3 ** 0.5) < 0.25), "latents off prior"
""",
    "hidden_test_outlier_score": """
for _x in (_rng.normal(size=(16, 4)).astype(np.float32), (20 * _rng.uniform(-1, 1, (16, 4))).astype(np.float32)):
    _m = _perturbed(NICE(4), _x)
    assert np.allclose(np.asarray(outlier_score(_m, _x)), -_true_log_p(_m, _x, "logistic"), atol=1e-3)
""",
    "hidden_test_parabola_training": """
tf.keras.utils.set_random_seed(11)
_trained = NICE(2, num_couplings=4, hidden_units=(32, 32), prior="logistic")
_trained.forward(tf.zeros((1, 2)))
_log_det_before = float(_trained.log_det_jacobian())
train(_trained, H.parabola(8000, seed=1), steps=300, batch_size=256, learning_rate=3e-3, progress=False)
_nll = -_true_log_p(_trained, H.parabola(4000, seed=2), "logistic").mean()
assert 4.2242 - 0.15 <= _nll <= 4.766, f"test NLL after training {_nll:.3f} nats, a correct model reaches <= 4.766"
""",
    "hidden_test_training_moves_the_scale": """
assert abs(float(_trained.log_det_jacobian()) - _log_det_before) >= 0.099, "training did not change log|det J|"
""",
}


def _env():
    """This environment with the venv's bin first on PATH and no PYTHONPATH (each course imports its own code)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("PYTHONPATH", None)
    return env


def _tool(*args, cwd, env=None):
    """Run a command in a course; return its wall seconds (raises on failure)."""
    start = time.monotonic()
    proc = subprocess.run(list(map(str, args)), cwd=cwd, env=dict(_env(), **(env or {})), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.monotonic() - start


def _generate(*courses):
    """``nbgrader generate_assignment`` in every course at once (setup, not timed)."""
    procs = [subprocess.Popen(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=course, env=_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for course in courses]
    for course, proc in zip(courses, procs):
        if proc.wait() != 0:
            raise RuntimeError(f"generate_assignment failed in {course}:\n{proc.stderr.read()[-3000:]}")


def _meta(cell):
    return cell["metadata"].get("nbgrader", {})


def _plain_source(source):
    """Our source notebook with every hidden check cell's body replaced by its PLAIN_CHECKS asserts."""
    nb = json.loads(source.read_text())
    checks = [c for c in nb["cells"] if _meta(c).get("grade") and c["cell_type"] == "code"]
    assert {_meta(c)["grade_id"] for c in checks} == set(PLAIN_CHECKS), "PLAIN_CHECKS must cover every check cell"
    for cell in checks:
        first = "".join(cell["source"]).splitlines()[0]
        body = PLAIN_CHECKS[_meta(cell)["grade_id"]].strip("\n")
        cell["source"] = f"{first}\n### BEGIN HIDDEN TESTS\n{body}\n### END HIDDEN TESTS"
    return nb


def _submit(course, students):
    """Put the course's release, solution cells filled from its source, in submitted/ for every student
    (``nbgrader autograde`` adds them to the gradebook)."""
    solutions = {_meta(c)["grade_id"]: c["source"]
                 for c in json.loads((course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())["cells"]
                 if _meta(c).get("solution")}
    nb = json.loads((course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    for cell in nb["cells"]:
        if _meta(cell).get("solution"):
            cell["source"] = solutions[_meta(cell)["grade_id"]]
    for student in students:
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
        for helper in ("nice_helpers.py", "nice_checks.py"):
            shutil.copy(course / "source" / ASSIGNMENT / helper, folder)


def _gradebook_scores(course):
    """student -> autograded points in the course's gradebook."""
    with sqlite3.connect(course / "gradebook.db") as db:
        rows = db.execute("SELECT student.id, SUM(grade.auto_score) FROM grade "
                          "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
                          "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
                          "JOIN student ON submitted_assignment.student_id = student.id GROUP BY student.id")
        return dict(rows.fetchall())


def _our_run(course, target, out, workers):
    """Wall seconds of ``python -m autograder grade``, the median seconds of a submission inside it, the points
    and the first submission's grading.json."""
    wall = _tool(sys.executable, "-m", "autograder", "grade", target, "--out", out, "--workers", workers,
                 "--no-progress", cwd=course)
    results = [json.loads(p.read_text()) for p in sorted((course / out).glob("*/grading.json"))]
    assert results and all(r["score"] == r["max_score"] for r in results), "the reference must get full marks"
    return wall, statistics.median(r["seconds"] for r in results), results[0]["max_score"], results[0]


#: The phases of a submission's grading, by the request timings grading.json keeps (worker.requests).
PHASES = (("worker start", ("start", "load")), ("building objects", ("new:",)),
          ("training (train)", ("func:train",)), ("forward_with (what forward depends on)", ("forward_with",)),
          ("calls of forward/backward", ("call:forward", "call:backward")),
          ("other calls of the notebook", ("call:", "func:")), ("weights read and set", ("get_weights", "set_weights",
                                                                                        "trainable", "seed")))


def profile(grading):
    """Lines: seconds and requests per phase of one submission, in its main worker and its twin."""
    lines = [f"profile of one submission ({grading['seconds']:.1f} s in all):",
             f"  {'phase':40s} {'main s':>7s} {'(requests)':>11s} {'twin s':>7s} {'(requests)':>11s}"]
    workers = [grading["worker"].get("requests", {}), grading["worker"].get("twin", {}).get("requests", {})]
    left = [dict(w) for w in workers]
    for name, prefixes in PHASES:
        cells = []
        for timings in left:
            mine = {k: v for k, v in timings.items() if k.startswith(prefixes)}
            for k in mine:
                del timings[k]
            cells.append((sum(v[1] for v in mine.values()), sum(v[0] for v in mine.values())))
        lines.append(f"  {name:40s} " + " ".join(f"{s:7.2f} {f'({n})':>11s}" for s, n in cells))
    return lines


def plain_course(folder, skip_experiments):
    """(a)'s scratch course: the vanilla configuration and our source with PLAIN_CHECKS as its hidden tests."""
    (folder / "source" / ASSIGNMENT).mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(PLAIN_CONFIG + (SKIP_EXPERIMENTS if skip_experiments else ""))
    for helper in ("nice_helpers.py", "nice_checks.py"):
        shutil.copy(ROOT / "source" / ASSIGNMENT / helper, folder / "source" / ASSIGNMENT)
    plain = _plain_source(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(plain))
    return folder


def measure(tmp, students, smoke, skip_experiments):
    """name -> (seconds per submission, detail seconds or None): ours' median inside the run, (b)'s autograde."""
    ours, plain = copy_checkout(tmp / "ours"), plain_course(tmp / "plain", skip_experiments)
    os.environ["AUTOGRADER_COURSE_SECRET"] = str(ours / ".autograder-secret")  # grade signs, autograde verifies
    _generate(ours, plain)
    for course in (ours, plain):
        _submit(course, students)
    n = len(students)

    one, one_inside, points, first = _our_run(ours, "submitted", "grades", 1)
    rows = {"ours, 1 judge": (one / n, one_inside)}
    autograde = _tool("nbgrader", "autograde", ASSIGNMENT, "--force", cwd=ours,
                      env={"AUTOGRADER_RESULTS": str(ours / "grades")})
    rows["(b) our nbgrader route"] = ((one + autograde) / n, autograde / n)
    route_scores = _gradebook_scores(ours)
    if smoke:
        rows["ours, a run of one"] = (one, None)
    else:
        two, two_inside, _, _ = _our_run(ours, "submitted", "grades2", 2)
        rows["ours, 2 judges"] = (two / n, two_inside)
        rows["ours, a run of one"] = (_our_run(ours, f"submitted/{students[0]}", "grades1", 1)[0], None)
    rows["(a) plain nbgrader"] = (_tool("nbgrader", "autograde", ASSIGNMENT, "--force", cwd=plain) / n, None)
    plain_scores = _gradebook_scores(plain)
    for name, scores in (("our route", route_scores), ("the plain course", plain_scores)):
        assert scores == {s: points for s in students}, f"{name} must give the reference {points}: {scores}"
    return rows, profile(first)


def table(rows):
    """The printed table and the ratios (ours = the 1-judge run's wall seconds per submission)."""
    ours, a, b = rows["ours, 1 judge"][0], rows["(a) plain nbgrader"][0], rows["(b) our nbgrader route"][0]
    ratios = {"ours/(a)": ours / a, "ours/(b)": ours / b, "(b)/(a)": b / a}
    lines = [f"{'':24} {'s per submission':>17}  detail"]
    for name in sorted(rows, key=lambda k: (not k.startswith("ours"), k)):
        per, detail = rows[name]
        what = "autograde" if name.startswith("(b)") else "median inside the run"
        lines.append(f"{name:24} {per:17.2f}  " + ("" if detail is None else f"{what} {detail:.2f}"))
    lines.append("ratios: " + ", ".join(f"{k} {v:.3f}" for k, v in ratios.items()))
    return "\n".join(lines), ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6, help="copies of the submission each contender grades")
    parser.add_argument("--skip-experiments", action="store_true",
                        help="the plain course's kernel skips the cells tagged experiment, as our runner does")
    parser.add_argument("--smoke", action="store_true",
                        help="1 student, experiments skipped, no 2-judge run or separate run of one")
    args = parser.parse_args()
    students = [f"s{i}" for i in range(1 if args.smoke else args.students)]
    skip = args.skip_experiments or args.smoke
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        rows, phases = measure(Path(tmp), students, args.smoke, skip)
    print(f"{len(students)} submission(s), {len(os.sched_getaffinity(0))} CPUs, load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end; (a)'s kernel runs the whole notebook"
          f"{' but the experiment cells' if skip else ''} in quick mode; ours = wall / N of the 1-judge run")
    text, ratios = table(rows)
    print(text)
    print(*phases, sep="\n")
    assert all(math.isfinite(v) and v > 0 for v in ratios.values()), ratios
    print(json.dumps({"students": len(students), "skip_experiments": skip,
                      "rows": {k: [round(v, 3) if v is not None else None for v in r] for k, r in rows.items()},
                      "ratios": {k: round(v, 4) for k, v in ratios.items()}}))


if __name__ == "__main__":
    main()
