"""Where the course files live, resolved once."""
import importlib.util
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
#: The default assignment's files by the names they had when the course had one assignment; each
#: assignment's own are its pack's (:mod:`autograder.packs`).
_DEFAULT_PACK = {"ASSIGNMENT": "id", "SOURCE_DIR": "source_dir", "SOURCE_NOTEBOOK": "notebook",
                 "RELEASE_NOTEBOOK": "release_notebook", "GRADERS": "graders", "EXAMPLES": "examples",
                 "CALIBRATION": "calibration"}


def __getattr__(name):
    if name in _DEFAULT_PACK:
        from . import packs
        return getattr(packs.load(), _DEFAULT_PACK[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def course_module(name, source_dir):
    """The course's module ``source/<assignment>/<name>.py``, imported once as ``course_<name>``.

    Modules there are given to students too (e.g. the rules that find a notebook's cells).
    """
    key = f"course_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(source_dir) / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # before it runs: dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[key]
