"""Assignment 08: score-based generative models (denoising score matching, annealed Langevin dynamics)."""
from autograder.wire.calls import Calls

TITLE = "Assignment 08 (score-based models)"
GRADERS = "assignments/assignment08/graders"
CALIBRATION = "assignments/assignment08/calibration.json"
CELLS_MODULE = "score_cells"
HELPERS = ("score_helpers.py",)
CALLS = Calls(classes=("ScoreModel",),
              functions=("noise_scales", "dsm_loss", "train", "langevin_step_size", "langevin_update",
                         "annealed_langevin", "sample"),
              methods=("__call__",),
              judge_objects=("GaussianScore", "LadderScore"))
PRELOAD = ("tensorflow",)
WORKER_OBJECTS = "assignments.assignment08.worker_objects"
SECTION_ORDER = ("test_noise_scales", "test_score_model", "test_loss", "test_langevin", "test_training")
CHANGES_WEIGHTS = ("train",)
QUICK_ENV = "COURSE_QUICK"
BANK = "assignments/assignment08/bank"
TWIN = False  # the judge's own objects and maths check every answer; no check asks a second worker
CALIBRATE = "assignments.assignment08.calibrate"
SPELLING = {"dsm": "DSM", "langevin": "Langevin", "gaussian": "Gaussian"}
TERMS = ("ScoreModel", "score_model", "score_helpers", "Langevin", "langevin", "dsm_")  # what names this assignment (never the core)
