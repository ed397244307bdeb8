"""The README's "Testing your own claims" example, run exactly as printed there, as a user's test file."""
from __future__ import annotations

import re
from pathlib import Path

# imported before pytester's in-process run, so that the run shares these modules (see tests/test_plugin.py)
from conslaw.verification.testing import assertions, expectations, strategies  # noqa: F401

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> str:
    section = README.read_text().split("## Testing your own claims", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_passes_as_printed(pytester):
    code = readme_example()
    assert len([line for line in code.splitlines() if line.strip()]) <= 10  # the ten lines the README promises
    pytester.makepyfile(test_claims=code)
    result = pytester.runpytest("-p", "no:cacheprovider", "--hypothesis-profile", "conslaw-ci")
    result.assert_outcomes(passed=2)
