"""The ``conslaw`` command and ``python -m conslaw``: :mod:`conslaw.verification.cli`, except that
``--version`` answers at once, without loading the command line's modules (sympy, networkx)."""
from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from conslaw import __version__

        print(f"conslaw {__version__}")
        sys.exit(0)
    from conslaw.verification.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
