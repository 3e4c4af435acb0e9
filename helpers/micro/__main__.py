"""`python -m helpers.micro ...` runs `python -m helpers.build.micro ...` (see __init__)."""

import sys

from helpers.build.micro.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
