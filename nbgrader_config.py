"""nbgrader configuration of the course "Learning Generative Models" (assignment 07: NICE)."""
import os

# TensorFlow writes log lines to stderr on machines without a GPU, and `nbgrader autograde` gives a test
# cell 0 points when it writes to stderr.  Kernels inherit this environment, so silence TF for them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# Autograding checks the code, not the experiments: quick training budgets (NICE_QUICK=0 overrides).
os.environ.setdefault("NICE_QUICK", "1")

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "learning-generative-models"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.solution_directory = "solutions"

# Solution regions become exactly this in the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Long experiment cells in quick mode stay well inside this.
c.ExecutePreprocessor.timeout = 600
c.Execute.timeout = 600
