"""Every generated, committed file is what its command makes from the sources as they are now.

Files a test run can rebuild in seconds (the examples, the banks) are rebuilt into a scratch folder and
compared byte for byte (the release and the source's hidden cells: tests/test_release.py).  The two that
take minutes to make, the calibration (10 minutes) and the published solution (trains for real, 4
minutes), record what they were made from (:mod:`autograder.made_from`) and are checked against that
record; tests/test_readme.py runs both commands at smoke size.  A stale file fails with the command that
regenerates it.
"""
import importlib
import json
import sys

import pytest

from conftest import ROOT
from autograder import packs, paths, publish
from assignments.assignment07 import calibrate
from assignments.assignment07.examples import build as examples
from autograder.made_from import stale
from assignments.assignment08 import make_bank as assignment08_bank

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import make_hostile  # noqa: E402
import make_submissions  # noqa: E402

SOLUTIONS = ROOT / "solutions"
#: committed file -> (its record, what it is made from, the command that regenerates it)
RECORDED = {
    # every pack's calibration, with the record its calibrate command wrote into it
    **{str(pack.calibration.relative_to(ROOT)): (
        lambda path=pack.calibration: json.loads(path.read_text()).get("made_from") if path.exists() else None,
        importlib.import_module(pack.calibrate).INPUTS, importlib.import_module(pack.calibrate).COMMAND)
       for pack in map(packs.load, packs.ids()) if pack.calibrate},
    # every published solution (solutions/<id>/), each with the record publish wrote into it
    **{f"solutions/{pack.id}/{publish.RECORD}": (
        lambda path=SOLUTIONS / pack.id / publish.RECORD: json.loads(path.read_text()) if path.exists() else None,
        publish.inputs(pack), publish.command(pack))
       for pack in map(packs.load, packs.ids()) if (SOLUTIONS / pack.id).is_dir()},
}
BANK = "tests/fixtures/submissions"
#: committed files (globs) -> (build(into folder), the command that regenerates them)
REBUILT = {
    (f"{BANK}/bug_*.ipynb", f"{BANK}/alt_*.ipynb"): (make_submissions.build,
                                                     "PYTHONPATH=. python tests/fixtures/make_submissions.py"),
    (f"{BANK}/hostile_*.ipynb",): (make_hostile.build, "PYTHONPATH=. python tests/fixtures/make_hostile.py"),
    ("assignments/assignment08/bank/*.ipynb",): (assignment08_bank.build,
                                                 "PYTHONPATH=. python assignments/assignment08/make_bank.py"),
    ("assignments/assignment07/examples/*.ipynb",): (examples.build, "python -m assignments.assignment07.examples.build"),
}


@pytest.mark.parametrize("what", sorted(RECORDED))
def test_committed_file_was_made_from_the_current_sources(what):
    recorded, inputs, command = RECORDED[what]
    why = stale(what, recorded(), inputs, command)
    assert why is None, why


@pytest.mark.parametrize("patterns", sorted(REBUILT), ids=lambda patterns: patterns[0].rsplit("/", 2)[-2])
def test_committed_files_are_what_their_command_makes(patterns, tmp_path):
    build, command = REBUILT[patterns]
    build(tmp_path)
    committed = {p.name: p.read_bytes() for pattern in patterns for p in ROOT.glob(pattern)}
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    differ = sorted(n for n in set(committed) | set(fresh) if committed.get(n) != fresh.get(n))
    assert not differ, f"{', '.join(patterns)}: stale, missing or extra files {differ[:8]}: regenerate them with `{command}`"
