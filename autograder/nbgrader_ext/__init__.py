"""nbgrader preprocessors of the course, registered in ``nbgrader_config.py`` (nbgrader 0.9.6).

``nbgrader autograde`` runs two preprocessor lists per notebook: ``Autograde.sanitize_preprocessors``
(the submission is checked against the gradebook and written to ``autograded/``), then
``Autograde.autograde_preprocessors`` (``Execute`` runs it in a kernel, ``SaveAutoGrades`` scores the
grade cells from their outputs).  ``GenerateFeedback.preprocessors`` turn an autograded notebook into
the HTML students get.  The course adds one transformation per module:

* :mod:`.restore_hidden` (sanitize, before ``OverwriteCells``): untouched hidden test cells are not
  reported as changed;
* :mod:`.skip_experiments` (autograde, before ``Execute``): the cells the source tags ``experiment``
  (MNIST training, plots) do not run, and a submission cannot make nbgrader skip a cell;
* :mod:`.hidden_checks` (autograde, around ``Execute``): the hidden check cells are judged outside the
  student's kernel, from the grading runner's result;
* :mod:`.feedback` (generate_feedback): no colour codes and no paths of the instructor's machine.
"""
import copy

from nbgrader.preprocessors import ClearHiddenTests


def release_source(cell, source, parent, resources):
    """``source`` as the release has it in ``cell``: nbgrader's ClearHiddenTests with the course's delimiters."""
    cleared = copy.deepcopy(cell)
    cleared.source = source
    ClearHiddenTests(parent=parent).preprocess_cell(cleared, resources, 0)
    return cleared.source
