"""Feedback students can read (generate_feedback step): no colour codes, no paths of the instructor's machine.

Tracebacks and printed warnings name files by absolute path: the course folder (``autograded/<student>/
...``), the Python installation (``.../site-packages/keras/...``), the home folder.  In every output of
every code cell these become ``<course>``, ``<python>`` and ``~``, and terminal colour codes go.  (The
hidden test regions are removed by nbgrader's ``ClearHiddenTests``, listed before this in the config.)
"""
import os
import re
import sys
import sysconfig

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from ..grade.messages import visible

_PACKAGES = re.compile(r"(?:/[^\s/:'\"]+)+/(site-packages|dist-packages)/")


def redact(text, prefixes):
    """``text`` without colour codes, each path prefix in ``prefixes`` (path -> label) replaced by its label.

    Longer prefixes first; any other ``.../site-packages/`` becomes ``<python>/site-packages/``.
    """
    text = visible(text)
    for path in sorted(prefixes, key=len, reverse=True):
        text = text.replace(path, prefixes[path])
    return _PACKAGES.sub(r"<python>/\1/", text)


def instructor_prefixes(course_root):
    """The paths of this machine a student has no business seeing (as given and resolved), with their labels."""
    labels = [(course_root, "<course>"), (sysconfig.get_paths()["purelib"], "<python>/site-packages"),
              (sys.prefix, "<python>"), (sys.base_prefix, "<python>"), (os.path.expanduser("~"), "~")]
    prefixes = {}
    for path, label in labels:
        for p in (path, os.path.realpath(path)):
            if p and len(p) > 1:
                prefixes.setdefault(p, label)
    return prefixes


class RedactFeedback(NbGraderPreprocessor):
    """Strip colour codes and instructor paths from the outputs of every code cell."""

    def preprocess(self, nb, resources):
        self._prefixes = instructor_prefixes(CourseDirectory(parent=self).root)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                out.text = redact(out.text, self._prefixes)
            elif out.output_type == "error":
                out.evalue = redact(out.evalue, self._prefixes)
                out.traceback = [redact(line, self._prefixes) for line in out.traceback]
            for mime in ("text/plain", "text/html"):
                if mime in out.get("data", {}):
                    out.data[mime] = redact(out.data[mime], self._prefixes)
        return cell, resources
