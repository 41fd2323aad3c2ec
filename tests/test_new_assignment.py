"""``python -m autograder new-assignment ID`` scaffolds a pack that grades out of the box: its release scores
0, its source full marks, on the local route, in a scratch copy of the course."""
import json

import pytest

from conftest import TEST_SECRET, _activated, run


@pytest.mark.slow
def test_a_new_assignment_grades_its_release_zero_and_its_source_full_marks(checkout):
    proc = run('.venv/bin/python -m autograder new-assignment demo01 --title "Demo 01"', checkout, timeout=300,
               env=_activated())
    assert proc.returncode == 0, proc.stderr[-2000:]
    for made in ("source/demo01/demo01.ipynb", "source/demo01/demo01_cells.py", "release/demo01/demo01.ipynb",
                 "assignments/demo01/pack.py", "assignments/demo01/graders/test_squared_norms.py"):
        assert (checkout / made).is_file(), made
    assert "raise NotImplementedError()" in (checkout / "release/demo01/demo01.ipynb").read_text()
    again = run(".venv/bin/python -m autograder new-assignment demo01", checkout, timeout=60, env=_activated())
    assert again.returncode == 2 and "exists already" in again.stderr
    for who, notebook in (("source", "source/demo01/demo01.ipynb"), ("release", "release/demo01/demo01.ipynb")):
        (checkout / "in" / who).mkdir(parents=True)
        (checkout / "in" / who / "demo01.ipynb").write_bytes((checkout / notebook).read_bytes())
    proc = run(".venv/bin/python -m autograder grade in --out out --no-progress --assignment demo01", checkout,
               timeout=300, env=_activated({"AUTOGRADER_COURSE_SECRET": str(TEST_SECRET)}))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    scores = {who: json.loads((checkout / "out" / who / "results.json").read_text())["score"]
              for who in ("source", "release")}
    assert scores == {"source": 2.0, "release": 0.0}
    feedback = (checkout / "out" / "source" / "feedback.md").read_text()
    assert feedback.startswith("# Demo 01") and "Squared norms" in feedback
