"""`python -m planner` and the `planner` console script."""

import os
import sys


def _forget_the_working_folder() -> None:
    """Take the working folder off sys.path before anything imports a plugin, pluggy, or much of the
    standard library. `python -m planner` puts it first, and a plan folder (which may come from
    someone else through sync) is often the working folder: a `pluggy.py` or `json.py` in it would
    be imported in place of the real one. Nothing the planner needs is found there: `planner`
    itself is imported by now, and its modules are found through its own __path__."""
    try:
        here = os.path.realpath(os.getcwd())
    except OSError:  # the working folder was deleted: a relative entry finds nothing anyway
        here = None
    sys.path[:] = [entry for entry in sys.path
                   if entry not in ("", os.curdir) and os.path.realpath(entry) != here]


_forget_the_working_folder()

from planner.cli import main  # noqa: E402 - only once the working folder is off sys.path

if __name__ == "__main__":
    sys.exit(main())
