"""Hidden autograder of assignment 07 (NICE): sandboxed worker, pytest graders, grading runner.

Never shipped to students: it is not under ``release/`` or ``solutions/``.
"""
