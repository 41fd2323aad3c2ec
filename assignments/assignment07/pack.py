"""Assignment 07: NICE, a normalizing flow of additive couplings (TensorFlow 2 + TFP)."""
from autograder.wire.calls import Calls

TITLE = "Assignment 07 (NICE)"
GRADERS = "assignments/assignment07/graders"
CALIBRATION = "assignments/assignment07/calibration.json"
CELLS_MODULE = "nice_cells"
HELPERS = ("nice_helpers.py",)
CALLS = Calls(classes=("CouplingLayer", "ScalingLayer", "NICE"),
              functions=("log_likelihood", "nll_loss", "train", "evaluate_nll", "inpaint", "inpainting_step",
                         "outlier_score"),
              methods=("forward", "backward", "log_det_jacobian", "sample", "prior.log_prob", "prior.sample"),
              row_methods=("forward", "backward"))
PRELOAD = ("tensorflow", "tensorflow_probability")
SECTION_ORDER = ("test_coupling", "test_scaling", "test_model", "test_likelihood", "test_training", "test_inpainting",
                 "test_sampling_outliers")
CHANGES_WEIGHTS = ("train",)
QUICK_ENV = "NICE_QUICK"
EXAMPLES = "assignments/assignment07/examples"
BANK = "tests/fixtures/submissions"
CALIBRATE = "assignments.assignment07.calibrate"
SPELLING = {"nice": "NICE"}  # test names as prose writes them: test_nice_inverse -> "NICE inverse"
TERMS = ("NICE", "nice_", "Coupling", "coupling_", "parabola", "Parabola", "inpaint")  # what names this assignment (never the core)
