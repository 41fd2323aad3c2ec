"""The worker side: the only process that runs submission code, confined (:mod:`.sandbox`).

Imports nothing of the judge: it talks to it through :mod:`autograder.wire` only.
"""
