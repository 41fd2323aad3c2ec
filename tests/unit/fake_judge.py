"""A stand-in for the judge's pytest command (no TensorFlow): what a grading run's runner sees of a judge.

Called as ``fake_judge.py ARGS`` with the judge's arguments.  With ``--manifest`` it writes the two
tests of :data:`TESTS`.  With ``--submission`` it records its pid in ``$FAKE_JUDGE_PIDS`` (a folder),
reads the notebook's ``metadata.fake`` (``started``: wait, at most 30 s, until that many judges have recorded
theirs; ``signals``: names of signals to send the runner, its parent; ``sleep``: seconds), then passes every
test, the score of the second being ``metadata.fake.score``.
"""
import json
import os
import signal
import sys
import time
from pathlib import Path

TESTS = [{"name": "test_a", "points": 2.0, "hidden": False, "description": "does a"},
         {"name": "test_b", "points": 3.0, "hidden": True, "description": "does b"}]


def option(args, name):
    return args[args.index(name) + 1] if name in args else None


def main(args):
    if option(args, "--manifest"):
        Path(option(args, "--manifest")).write_text(json.dumps(TESTS))
        return
    Path(os.environ["FAKE_JUDGE_PIDS"], str(os.getpid())).write_text(option(args, "--submission"))
    fake = json.loads(Path(option(args, "--submission")).read_text()).get("metadata", {}).get("fake", {})
    deadline = time.monotonic() + 30
    while len(os.listdir(os.environ["FAKE_JUDGE_PIDS"])) < fake.get("started", 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    for name in fake.get("signals", []):
        os.kill(os.getppid(), getattr(signal, name))
    time.sleep(fake.get("sleep", 0))
    tests = [dict(t, score=t["points"], passed=True, message="") for t in TESTS]
    tests[1]["score"] = fake.get("score", 3.0)
    Path(option(args, "--results-json")).write_text(json.dumps({"tests": tests, "worker": {}}))


if __name__ == "__main__":
    main(sys.argv[1:])
