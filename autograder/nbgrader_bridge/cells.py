"""Keep the source notebook's hidden-check cells equal to the graders: one nbgrader test cell per check.

Each cell is worth the check's points; its first line says what the check is about, and, inside a
``### BEGIN HIDDEN TESTS`` region (removed from the release), it finds the course root and calls
:func:`autograder.nbgrader_bridge.check`.  The region runs wherever a kernel runs the source notebook
(``nbgrader validate``, ``jupyter nbconvert --execute``, from ``source/<assignment>/``), so it finds the
course root itself: ``AUTOGRADER_COURSE_ROOT`` if set and valid, else the nearest folder above the working
directory with ``nbgrader_config.py`` and ``autograder/``.  (``nbgrader autograde`` runs no kernel:
see :mod:`.runner_outputs`.)  ``python -m autograder hidden-cells [--assignment ID]`` rewrites one
assignment's cells from its graders' pytest manifest (and the table of the assignment's cells in its
cells module, ``source/<id>/<cells module>.py``, which the students' self-check matches against); a test fails when
either drifts.
"""
import copy
import json
import re

from nbgrader.preprocessors import ClearHiddenTests

from ..notebook import HIDDEN_TESTS
from ..wire.names import COURSE_ENV
from ..grade.summary import plural

HEADER_ID = "hidden_checks_intro"
HEADER = ("## Hidden autograder checks\n\n"
          "The cells below are filled in and run only when the assignment is graded: they call your "
          "classes and functions with the grader's own data and are worth the points shown.")


CHECK_PREFIX = "hidden_"
BEGIN, END = HIDDEN_TESTS, "### END HIDDEN TESTS"
FIND_ROOT = (
    f"import os, sys, pathlib  # the course root: ${COURSE_ENV}, or the folder above with nbgrader_config.py and autograder/\n"
    "_here = pathlib.Path.cwd().resolve()\n"
    f"_root = next((p for p in (pathlib.Path(os.environ.get({COURSE_ENV!r}, _here)), _here, *_here.parents)\n"
    "              if (p / 'nbgrader_config.py').is_file() and (p / 'autograder' / '__init__.py').is_file()), None)\n"
    "if _root is not None and str(_root) not in sys.path:\n"
    "    sys.path.insert(0, str(_root))\n")


def cell_id(test_name):
    return CHECK_PREFIX + re.sub(r"[^A-Za-z0-9_-]+", "-", test_name).strip("-")


def is_check_cell(cell):
    """Whether ``cell`` (a notebook cell dict) is one of the hidden check cells (graded, id ``hidden_...``)."""
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    return bool(nbg.get("grade")) and str(nbg.get("grade_id", "")).startswith(CHECK_PREFIX)


def release_source(cell, source, parent, resources):
    """``source`` as the release has it in ``cell``: nbgrader's ClearHiddenTests with the course's delimiters."""
    cleared = copy.deepcopy(cell)
    cleared.source = source
    ClearHiddenTests(parent=parent).preprocess_cell(cleared, resources, 0)
    return cleared.source


def description_line(test):
    """The line of a check cell the release keeps: what the check is about and its points."""
    return f"# Hidden check ({plural(test['points'], 'point')}): {test['description']}"


def build_cells(tests):
    cells = [{"cell_type": "markdown", "id": HEADER_ID, "metadata": {"nbgrader": {
        "grade": False, "solution": False, "locked": True, "grade_id": HEADER_ID, "schema_version": 3}},
        "source": HEADER}]
    for t in tests:
        source = (f"{description_line(t)}\n{BEGIN}\n{FIND_ROOT}"
                  f"from autograder.nbgrader_bridge import check\ncheck({t['name']!r})\n{END}")
        cells.append({"cell_type": "code", "execution_count": None, "id": cell_id(t["name"]), "outputs": [],
                      "metadata": {"nbgrader": {"grade": True, "solution": False, "locked": True,
                                                "grade_id": cell_id(t["name"]), "points": t["points"],
                                                "schema_version": 3}},
                      "source": source})
    return cells


def _is_hidden(cell):
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
    return gid == HEADER_ID or gid.startswith("hidden_")


def expected_notebook(tests, source):
    """The source notebook ``source`` with one hidden check cell per test of ``tests`` (its manifest)."""
    nb = json.loads(source.read_text())
    nb["cells"] = [c for c in nb["cells"] if not _is_hidden(c)] + build_cells(tests)
    return nb


def sync(tests, source):
    """Rewrite the hidden-check cells of the source notebook ``source``; returns True if it changed."""
    before = source.read_text()
    after = json.dumps(expected_notebook(tests, source), indent=1, ensure_ascii=False) + "\n"
    if after != before:
        source.write_text(after)
    return after != before


def main(assignment=None):
    from .. import packs
    from ..grade.run import manifest
    from ..notebook import sync_table
    pack = packs.load(assignment)
    changed = sync(manifest(pack), pack.notebook)
    print("source notebook hidden checks:", "updated" if changed else "already in sync")
    print(f"{pack.cells_module}.TABLE (the cells students' self-checks look for):",
          "updated" if sync_table(pack) else "already in sync")
