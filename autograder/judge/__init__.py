"""The judge: pytest plugin, the facade graders use to talk to the worker, and reference maths."""
