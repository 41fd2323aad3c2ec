"""Keep the source notebook's hidden-check cells equal to the graders: one nbgrader test cell per check.

Each cell is worth the check's points and, inside a ``### BEGIN HIDDEN TESTS`` region (removed from the
release), calls :func:`autograder.nbgrader_bridge.check`.  ``python -m autograder hidden-cells``
rewrites them from the pytest manifest; a test fails when they drift.
"""
import json
import re

from . import paths

HEADER_ID = "hidden_checks_intro"
HEADER = ("## Hidden autograder checks\n\n"
          "The cells below are filled in and run only when the assignment is graded: they call your "
          "classes and functions with the grader's own data and are worth the points shown.")


def cell_id(test_name):
    return "hidden_" + re.sub(r"[^A-Za-z0-9_-]+", "-", test_name).strip("-")


def build_cells(tests):
    cells = [{"cell_type": "markdown", "id": HEADER_ID, "metadata": {"nbgrader": {
        "grade": False, "solution": False, "locked": True, "grade_id": HEADER_ID, "schema_version": 3}},
        "source": HEADER}]
    for t in tests:
        source = (f"# Hidden check ({t['points']:g} points): {t['description']}\n"
                  "### BEGIN HIDDEN TESTS\n"
                  "from autograder.nbgrader_bridge import check\n"
                  f"check({t['name']!r})\n"
                  "### END HIDDEN TESTS")
        cells.append({"cell_type": "code", "execution_count": None, "id": cell_id(t["name"]), "outputs": [],
                      "metadata": {"nbgrader": {"grade": True, "solution": False, "locked": True,
                                                "grade_id": cell_id(t["name"]), "points": t["points"],
                                                "schema_version": 3}},
                      "source": source})
    return cells


def _is_hidden(cell):
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
    return gid == HEADER_ID or gid.startswith("hidden_")


def expected_notebook(tests, source=paths.SOURCE_NOTEBOOK):
    nb = json.loads(source.read_text())
    nb["cells"] = [c for c in nb["cells"] if not _is_hidden(c)] + build_cells(tests)
    return nb


def sync(tests, source=paths.SOURCE_NOTEBOOK):
    """Rewrite the hidden-check cells of the source notebook; returns True if it changed."""
    before = source.read_text()
    after = json.dumps(expected_notebook(tests, source), indent=1, ensure_ascii=False) + "\n"
    if after != before:
        source.write_text(after)
    return after != before


def main():
    from .grade.run import manifest
    changed = sync(manifest())
    print("source notebook hidden checks:", "updated" if changed else "already in sync")
