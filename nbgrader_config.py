"""nbgrader configuration of the course "Learning Generative Models" (assignment 07: NICE)."""
import os
import sys

# TensorFlow writes log lines to stderr on machines without a GPU, and nbgrader gives a test cell 0 points
# when it writes to stderr.  Kernels (generate_solution, validate, nbconvert; autograde starts none) and the
# confined grading that autograde may start inherit this environment, so silence TF for them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# Grading checks the code, not the experiments: quick training budgets (NICE_QUICK=0 overrides).
os.environ.setdefault("NICE_QUICK", "1")

ROOT = os.path.dirname(os.path.abspath(__file__))
# The source notebook's hidden check cells import the (never released) autograder from the course root.
os.environ["NICE_COURSE_ROOT"] = ROOT
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
# A grading run's output folder (see README): kernels run elsewhere, so make it absolute here.
if os.environ.get("AUTOGRADER_RESULTS"):
    os.environ["AUTOGRADER_RESULTS"] = os.path.abspath(os.environ["AUTOGRADER_RESULTS"])

# nbgrader itself loads the course's preprocessors (autograder.nbgrader_bridge) from the course root.
if os.path.isdir(os.path.join(ROOT, "autograder")) and ROOT not in sys.path:
    sys.path.insert(0, ROOT)

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "learning-generative-models"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.solution_directory = "solutions"

# Solution regions become exactly this in the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Quick-mode cells take seconds; a cell that hangs is interrupted and grading goes on.
c.Execute.timeout = 180
c.Execute.interrupt_on_timeout = True

# The published solution must not carry the hidden checks (they import the autograder).
c.GenerateSolution.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.Execute",
]

# nbgrader autograde (see autograder/nbgrader_bridge): nbgrader 0.9.6's preprocessor lists with the course's
# steps.  Sanitize: cells get the nbgrader metadata the grader found them by (lost metadata, split or retyped
# cells), and untouched hidden test cells are not reported as changed.  Autograde: no kernel starts and
# no student code runs (nbgrader's Execute is replaced): every output, the hidden check cells' verdicts
# included, comes from the grading runner (a signed grading.json of an earlier run, else a confined grading now).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "autograder.nbgrader_bridge.match_cells.MatchCells",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.nbgrader_bridge.restore_hidden.RestoreHiddenTests",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader_bridge.runner_outputs.RunnerOutputs",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Feedback: no hidden test source, no colour codes, no paths of this machine.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "autograder.nbgrader_bridge.feedback.RedactFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
