"""The judge's pytest plugin: points, visibility, measures and messages in the results file, and the manifest."""
import json
import os
import subprocess
import sys

from conftest import ROOT

GRADERS = '''
import pytest

@pytest.mark.points(2)
def test_passes(measure):
    """Does a thing."""
    measure("error", 0.01, 0.1)

@pytest.mark.points(3)
@pytest.mark.hidden
def test_fails(measure):
    """Does another thing.

    More text that is not the description.
    """
    measure("gap", 5.0, 1.0)
    pytest.fail("expected < 1, got 5", pytrace=False)
'''


def _judge(tmp_path, *args):
    (tmp_path / "test_fake.py").write_text(GRADERS)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "autograder.judge.plugin", "-p", "no:cacheprovider",
                           "-q", "-o", "addopts=", "--rootdir", str(tmp_path), str(tmp_path), *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_results_carry_points_scores_messages_and_measures(tmp_path):
    proc = _judge(tmp_path, "--results-json", str(tmp_path / "r.json"))
    assert proc.returncode == 1, proc.stdout[-2000:]
    tests = {t["name"]: t for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    ok, bad = tests["test_passes"], tests["test_fails"]
    assert (ok["points"], ok["score"], ok["passed"], ok["hidden"]) == (2.0, 2.0, True, False)
    assert (bad["points"], bad["score"], bad["passed"], bad["hidden"]) == (3.0, 0.0, False, True)
    assert bad["message"] == "expected < 1, got 5" and bad["description"] == "Does another thing."
    assert ok["measures"] == {"error": {"value": 0.01, "limit": 0.1, "at_least": False}}


def test_manifest_lists_every_test_with_its_points(tmp_path):
    proc = _judge(tmp_path, "--collect-only", "--manifest", str(tmp_path / "m.json"))
    assert proc.returncode == 0, proc.stdout[-2000:]
    manifest = json.loads((tmp_path / "m.json").read_text())
    assert [(t["name"], t["points"], t["hidden"]) for t in manifest] == [("test_passes", 2.0, False),
                                                                       ("test_fails", 3.0, True)]


def test_the_real_graders_all_carry_points():
    from autograder.grade.run import manifest
    tests = manifest()
    assert len({t["name"] for t in tests}) == len(tests) >= 17
    assert all(t["points"] > 0 and t["description"] for t in tests)
