"""How a notebook cell is named where Python reports code: the file name its code is compiled under.

The worker compiles each cell as ``<cell GRADE_ID>``; tracebacks, the worker's "raised at" and the
judge's messages to students read the cell back from that name.  Defined once, for both sides.
"""
import re

PREFIX, SUFFIX = "<cell ", ">"
#: A traceback line the worker sends: ``  <cell KEY>, line N, in FUNC: CODE`` (CODE empty: cells are strings).
FRAME = re.compile(r"^\s*<cell (?P<cell>[^>]+)>, line (?P<line>\d+), in (?P<func>[^:]*):\s?(?P<code>.*)$")


def filename(grade_id):
    """The file name cell ``grade_id`` is compiled under."""
    return f"{PREFIX}{grade_id}{SUFFIX}"


def grade_id(name):
    """The cell of a compiled file name, or None for any other file."""
    if isinstance(name, str) and name.startswith(PREFIX) and name.endswith(SUFFIX):
        return name[len(PREFIX):-len(SUFFIX)]
    return None
