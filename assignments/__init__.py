"""The course's assignments, one pack each (see :mod:`autograder.packs`)."""

#: The assignment a verb grades when none is named.
DEFAULT = "assignment07"
