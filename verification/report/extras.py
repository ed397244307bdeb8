"""Optional libraries and the extras of ``setup.cfg`` that install them, for one-line messages when one is
missing (``pip install "conslaw[figures]"``) instead of an ImportError's traceback."""
from __future__ import annotations

#: import name → (distribution, extra)
EXTRAS = {"matplotlib": ("matplotlib", "figures"), "sklearn": ("scikit-learn", "figures"),
          "nbclient": ("nbclient", "notebooks"), "pytest": ("pytest", "test"), "selenium": ("selenium", "test")}


def missing_extra(module: str, feature: str) -> str:
    """One line: ``feature`` needs ``module``, and the pip command that installs it."""
    dist, extra = EXTRAS[module]
    return f"conslaw: {feature} needs {dist}, which is not installed: pip install \"conslaw[{extra}]\""
