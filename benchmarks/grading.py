"""Grading speed: our runner against `nbgrader autograde` of the same submission, in one run.

Prints the median seconds per submission (zygote and fresh workers), class throughput for 1..N parallel
judges, and the time `nbgrader autograde` takes for the same notebook, with the ratios.

    PYTHONPATH=. .venv/bin/python benchmarks/grading.py [--repeats 5] [--class-size 8] [--max-workers 2]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import paths  # noqa: E402
from autograder.grade.run import grade_submissions  # noqa: E402

REFERENCE = paths.SOURCE_NOTEBOOK


def per_submission(repeats, use_zygote):
    """Median wall seconds of a whole run that grades one submission (one-time costs included)."""
    times = []
    for _ in range(repeats):
        start = time.monotonic()
        result = grade_submissions([("ref", REFERENCE)], workers=1, use_zygote=use_zygote, progress=False)[0]
        times.append(time.monotonic() - start)
        assert result.score == result.max_score, "the reference must get full marks"
    return statistics.median(times), times


def throughput(class_size, workers):
    """Submissions per minute for a class of copies of the examples."""
    examples = sorted(paths.EXAMPLES.glob("*.ipynb"))
    subs = [(f"s{i}", examples[i % len(examples)]) for i in range(class_size)]
    start = time.monotonic()
    results = grade_submissions(subs, workers=workers, progress=False)
    elapsed = time.monotonic() - start
    return class_size / elapsed * 60, elapsed, statistics.median(r.seconds for r in results)


def nbgrader_autograde(results_dir):
    """Seconds of `nbgrader autograde` for the reference as one student (hidden checks reuse our results)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               AUTOGRADER_RESULTS=str(results_dir))
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "source", course / "source")
        run = lambda *a: subprocess.run(a, cwd=course, env=env, check=True, capture_output=True)  # noqa: E731
        run("nbgrader", "generate_assignment", "assignment07", "--force")
        folder = course / "submitted" / "ref" / "assignment07"
        folder.mkdir(parents=True)
        shutil.copy(REFERENCE, folder)
        shutil.copy(paths.HELPERS, folder)
        run("nbgrader", "db", "student", "add", "ref")
        start = time.monotonic()
        run("nbgrader", "autograde", "assignment07", "--force")
        return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--class-size", type=int, default=8)
    parser.add_argument("--max-workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    zyg, zyg_all = per_submission(args.repeats, use_zygote=True)
    fresh, fresh_all = per_submission(max(1, args.repeats // 2), use_zygote=False)
    print(f"a run grading one submission: median {zyg:.2f} s with the zygote {[round(t, 1) for t in zyg_all]}, "
          f"{fresh:.2f} s with fresh workers {[round(t, 1) for t in fresh_all]} (one-time costs included)")
    per_sub = None
    for workers in range(1, args.max_workers + 1):
        rate, elapsed, median = throughput(args.class_size, workers)
        per_sub = median if workers == 1 else per_sub
        print(f"class of {args.class_size}, {workers} parallel judge(s): {elapsed:.1f} s, {rate:.1f} submissions/min, "
              f"median {median:.2f} s per submission inside the run")

    with tempfile.TemporaryDirectory() as out:
        from autograder.grade.report import write_outputs
        write_outputs(grade_submissions([("ref", REFERENCE)], workers=1, progress=False), out)
        nbg = nbgrader_autograde(out)
    print(f"nbgrader autograde of the same notebook (quick mode, hidden checks reusing our results): {nbg:.1f} s")
    print(f"ratio nbgrader autograde / a whole one-submission run of ours: {nbg / zyg:.1f}x; "
          f"/ our per-submission time inside a run (1 judge): {nbg / per_sub:.1f}x")
    print(json.dumps({"run_one_median_s": round(zyg, 2), "run_one_fresh_median_s": round(fresh, 2),
                      "per_submission_in_run_s": round(per_sub, 2), "nbgrader_autograde_s": round(nbg, 1),
                      "speedup_whole_run": round(nbg / zyg, 2), "speedup_per_submission": round(nbg / per_sub, 2)}))


if __name__ == "__main__":
    main()
