"""tunelab helpers: the small, tested library every notebook imports.

The top level is the learner's library, one module per concern; helpers.build (world
builders), helpers.bench (maintainers' measurement) and helpers.grading (the autograder) serve
the other audiences. ARCHITECTURE.md at the repository root maps the layers, the data flow and
the one home of each shared rule. Importing this package has no side effects and does not
import torch, so `import helpers.data` stays fast in tests and notebooks.
"""

__version__ = "0.1.0"
