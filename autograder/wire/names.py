"""Environment variables that carry state between the course's processes."""

#: Unix socket of the zygote (a process that imported TensorFlow once and forks workers).
ZYGOTE_ENV = "AUTOGRADER_ZYGOTE"
#: Output folder of an earlier grading run, reused by the nbgrader hidden check cells.
RESULTS_ENV = "AUTOGRADER_RESULTS"
#: The course root (the folder of nbgrader_config.py), set for grading kernels.
COURSE_ENV = "NICE_COURSE_ROOT"
