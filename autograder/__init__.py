"""The course's hidden autograder, for any assignment pack (``assignments/<id>/``): sandboxed worker, pytest graders, grading runner.

Never shipped to students: it is not under ``release/`` or ``solutions/``.
"""
