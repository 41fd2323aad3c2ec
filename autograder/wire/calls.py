"""What a worker lets the judge call by name: the assignment's allowlists, carried in the sandbox plan."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Calls:
    """What a worker lets the judge call by name (the sandbox plan carries it to the worker).

    ``row_methods``: methods of one batch of rows (``x -> y`` of the same length) that the worker may
    run compiled when the judge asks.  ``judge_objects``: classes of the pack's worker module
    (``WORKER_OBJECTS``) the judge may build in the worker, e.g. an exact score to hand to the notebook.
    """
    classes: tuple = ()
    functions: tuple = ()
    methods: tuple = ()
    row_methods: tuple = ()
    judge_objects: tuple = ()

    def to_plan(self):
        return {k: list(v) for k, v in self.__dict__.items()}

    @classmethod
    def from_plan(cls, data):
        return cls(**{k: tuple(v) for k, v in (data or {}).items()})
