"""``python -m sklearn_ae ...``: the ``sklearn-ae`` command line (``demo`` by default)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["demo"]))
