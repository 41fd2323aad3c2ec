"""Feedback students can read (generate_feedback steps): no colour codes, no paths of the instructor's machine.

Tracebacks and printed warnings name files by absolute path: the course folder (``autograded/<student>/
...``), the Python installation (``.../site-packages/keras/...``), the home folder.  In every output of
every code cell these become ``<course>``, ``<python>`` and ``~``, and terminal colour codes go.  (The
hidden test regions are removed by :class:`ClearHiddenTests`, listed before this in the config.)

nbconvert's HTMLExporter configures ``NbConvertBase.display_data_priority`` for every preprocessor it
runs, and nbgrader's preprocessors declare that trait without ``config=True``: traitlets then warned
"Config option `display_data_priority` not recognized" for each step on every run.  Both steps here
declare it configurable (they do not use it).
"""
import os
import re
import sys
import sysconfig

from nbgrader.coursedir import CourseDirectory
from nbgrader import preprocessors
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

from ..notes import visible

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


def _display_data_priority():
    """The trait nbconvert's exporter configures (see the module docstring), declared configurable."""
    return List(NbGraderPreprocessor.display_data_priority.default_value, config=True,
                help="Set by nbconvert's HTMLExporter for every preprocessor; unused here.")


class ClearHiddenTests(preprocessors.ClearHiddenTests):
    """nbgrader's ClearHiddenTests (configured as ``ClearHiddenTests``), without the config warning."""
    display_data_priority = _display_data_priority()


class RedactFeedback(NbGraderPreprocessor):
    """Strip colour codes and instructor paths from the outputs of every code cell."""
    display_data_priority = _display_data_priority()

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
