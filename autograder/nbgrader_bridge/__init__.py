"""The nbgrader route: the grading runner's verdicts in nbgrader's gradebook (nbgrader 0.9.6).

The source notebook ends with one hidden nbgrader test cell per grader check (:mod:`.cells` writes
them; ``python -m autograder hidden-cells``).  ``nbgrader autograde`` runs two preprocessor lists per
notebook (``nbgrader_config.py``): ``Autograde.sanitize_preprocessors`` (the submission is checked
against the gradebook and written to ``autograded/``), then ``Autograde.autograde_preprocessors``,
where nbgrader's ``Execute`` (a kernel running the submission as the instructor, unconfined) is
replaced by :mod:`.runner_outputs`: no kernel starts and no student code runs; every output comes
from the runner's result (:mod:`.verdicts`: an earlier run's signed ``grading.json``, else a grading
now in a confined worker), and ``SaveAutoGrades`` scores the check cells from those outputs.
``GenerateFeedback.preprocessors`` turn an autograded notebook into the HTML students get.  One module
per job:

* :mod:`.cells`: the source's hidden check cells, and a cell's source as the release shows it;
* :mod:`.verdicts`: the runner's result for a submitted notebook, and the verdict of one check;
* :mod:`.match_cells` (sanitize, first): cells get the nbgrader metadata that the runner found them by
  (lost metadata, a split or retyped solution, missing grade cells), so the gradebook matches like ``grade``;
* :mod:`.restore_hidden` (sanitize, before ``OverwriteCells``): untouched hidden test cells are not
  reported as changed;
* :mod:`.runner_outputs` (autograde, instead of ``Execute``): the cells' outputs from the runner;
* :mod:`.feedback` (generate_feedback): no colour codes and no paths of the instructor's machine.

A kernel that runs the source notebook itself (``jupyter nbconvert --execute``) reaches
:func:`check` from each check cell's hidden region.
"""
from .verdicts import check

__all__ = ["check"]
