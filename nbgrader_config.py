"""nbgrader configuration of the course "Learning Generative Models" (every assignment of assignments/: one course)."""
import importlib.util
import os
import sys
import warnings

# TensorFlow writes log lines to stderr on machines without a GPU, and nbgrader gives a test cell 0 points
# when it writes to stderr.  Kernels (generate_solution, validate, nbconvert; autograde starts none) and the
# confined grading that autograde may start inherit this environment, so silence TF for them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

ROOT = os.path.dirname(os.path.abspath(__file__))
# The source notebook's hidden check cells import the (never released) autograder from the course root.
os.environ["AUTOGRADER_COURSE_ROOT"] = ROOT
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
# A grading run's output folder (see README): kernels run elsewhere, so make it absolute here.
if os.environ.get("AUTOGRADER_RESULTS"):
    os.environ["AUTOGRADER_RESULTS"] = os.path.abspath(os.environ["AUTOGRADER_RESULTS"])

# nbgrader itself loads the course's preprocessors (autograder.nbgrader_bridge) from the course root.
if os.path.isdir(os.path.join(ROOT, "autograder")) and ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Grading checks the code, not the experiments: quick training budgets for every assignment (its pack's
# QUICK_ENV, e.g. NICE_QUICK; set it to 0 to override).
try:
    from autograder import packs  # this course's, or the one on PYTHONPATH
except ImportError:  # a course folder without it (e.g. only generate_assignment runs here)
    packs = None
for _quick in [packs.load(a).quick_env for a in packs.ids()] if packs else []:
    if _quick:
        os.environ.setdefault(_quick, "1")

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# nbgrader 0.9.6 builds a new submission through relationships that SQLAlchemy 2 no longer cascades into
# the session, then adds it explicitly: harmless, but each first autograde of a student printed three
# "SAWarning: Object of type <Submitted...> not in session" blocks.
warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session", module=r"nbgrader\.api")

c.CourseDirectory.course_id = "learning-generative-models"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.solution_directory = "solutions"

# The exchange (nbgrader release_assignment / fetch_assignment / submit / collect) lives in the course
# folder, made on first use with the mode nbgrader itself gives it (writable by every user; sticky, so
# nobody removes another's files).  On a shared server, point it at a folder every student can reach.
c.Exchange.root = os.path.join(ROOT, "exchange")
if not os.path.isdir(c.Exchange.root):
    try:
        os.mkdir(c.Exchange.root)
        os.chmod(c.Exchange.root, 0o1777)
    except OSError:  # a read-only course folder: nbgrader says so when a command needs the exchange
        pass

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
    "autograder.nbgrader_bridge.feedback.ClearHiddenTests",
    "autograder.nbgrader_bridge.feedback.RedactFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Maths render offline in every HTML page made from this config (formgrader, generate_feedback, publish):
# formulas become MathML, MathJax comes from the Jupyter server, never a CDN (autograder/nbgrader_bridge/maths.py).
# The feedback page names each check in words and wraps long lines (templates/course_feedback).
_NBGRADER_TEMPLATES = os.path.join(os.path.dirname(__import__("nbgrader").__file__), "server_extensions",
                                   "formgrader", "templates")
_AUTOGRADER = importlib.util.find_spec("autograder")  # this course's, or the one on PYTHONPATH (found, not imported)
c.HTMLExporter.extra_template_basedirs = [os.path.join(os.path.dirname(_AUTOGRADER.origin), "nbgrader_bridge", "templates"),
                                          _NBGRADER_TEMPLATES] if _AUTOGRADER else [_NBGRADER_TEMPLATES]
c.HTMLExporter.filters = {"markdown2html": "autograder.nbgrader_bridge.maths.MarkdownWithMathML",
                          "check_title": "autograder.nbgrader_bridge.maths.check_title"}
c.GenerateFeedback.HTMLExporter.template_name = "course_feedback"
c.GenerateFeedback.HTMLExporter.extra_template_paths = [
    _NBGRADER_TEMPLATES, os.path.join(os.path.dirname(_NBGRADER_TEMPLATES), "static", "node_modules", "bootstrap",
                                      "dist", "css")]
