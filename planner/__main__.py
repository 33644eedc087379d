"""`python -m planner` and the `planner` console script."""

import sys

from planner.cli import main

if __name__ == "__main__":
    sys.exit(main())
