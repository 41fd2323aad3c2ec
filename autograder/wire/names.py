"""Environment variables that carry state between the course's processes."""

#: Unix socket of the zygote (a process that imported TensorFlow once and forks workers).
ZYGOTE_ENV = "AUTOGRADER_ZYGOTE"
#: Output folder of an earlier grading run, reused by the nbgrader hidden check cells.
RESULTS_ENV = "AUTOGRADER_RESULTS"
#: The course root (the folder of nbgrader_config.py), set for grading kernels.
COURSE_ENV = "AUTOGRADER_COURSE_ROOT"
#: The pid of the grading runner that started a judge: the judge dies with it (autograder.grade.tether).
RUNNER_ENV = "AUTOGRADER_RUNNER_PID"
