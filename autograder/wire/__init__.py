"""What the judge and the worker share: the message format, environment names, budgets, the sandbox plan and
its cgroup.

Nothing here imports TensorFlow, the judge or the worker: both sides import this package, never each other.
"""
