"""Make the course's helper module importable for the judge (it holds the data definitions)."""
import sys

from autograder import paths

sys.path.insert(0, str(paths.SOURCE_DIR))
