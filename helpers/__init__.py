"""tunelab helpers: the small, tested library every notebook imports.

One module per concern (see ARCHITECTURE.md). Importing this package has no side effects and
does not import torch, so `import helpers.data` stays fast in tests and notebooks.
"""

__version__ = "0.1.0"
