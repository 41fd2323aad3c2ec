"""Autograding runs no experiment and no self-check (autograde step, before ``Execute``).

The source notebook tags the given cells that train on MNIST and make plots ``experiment``, and the
students' ungraded checks ``self-check``: the grading runner never runs them (:mod:`autograder.notebook`),
no points depend on them in the kernel either (the hidden checks are judged outside it), and they cost
minutes per student.  Before ``Execute`` each such cell, found by its ``grade_id`` in the *source* (a
submission's own tags are not trusted), becomes a comment saying so; grade and solution cells never do.
A submission cannot make nbgrader skip a cell either: the tag ``Execute`` skips (``skip-execution``) is
removed from every cell.
"""
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

from ..notebook import EXPERIMENT_TAG, SELF_CHECK_TAG, not_graded_tag, read_notebook

NOT_RUN = {EXPERIMENT_TAG: "# Experiment cell (training, plots): not run while autograding.",
           SELF_CHECK_TAG: "# Self-check cell (no points): not run while autograding; run it in your notebook."}


def skipped_cells(source_nb):
    """grade_id -> the comment that replaces it, for the tagged source cells that are neither grade nor solution."""
    found = {}
    for cell in source_nb["cells"]:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        tag = not_graded_tag(cell)
        if tag and nbg.get("grade_id") and not nbg.get("grade") and not nbg.get("solution"):
            found[nbg["grade_id"]] = NOT_RUN[tag]
    return found


class SkipExperiments(NbGraderPreprocessor):
    """Replace the source's experiment and self-check cells by a comment; drop every ``skip-execution`` tag."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        coursedir = CourseDirectory(parent=self)
        source = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]),
                      f"{info['notebook']}.ipynb")
        self._skipped = skipped_cells(read_notebook(source)) if source.exists() else {}
        self._skip_tag = Execute(parent=self).skip_cells_with_tag
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        tags = cell.metadata.get("tags")
        if tags and self._skip_tag in tags:
            cell.metadata.tags = [t for t in tags if t != self._skip_tag]
        comment = self._skipped.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if cell.cell_type == "code" and comment:
            cell.source = comment
            cell.outputs = []
        return cell, resources
