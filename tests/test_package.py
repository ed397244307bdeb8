"""The package introduces itself: ``import conslaw`` (cheap, with ``__version__``, a docstring whose examples
run, and the public API), ``conslaw --version``, package metadata, and a command line that loads torch only
where it needs it."""
from __future__ import annotations

import doctest
import importlib.metadata
import shutil
import subprocess
import sys

import pytest

import conslaw


def _run_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=120).stdout.strip()


def _pip_show(cwd) -> dict:
    """What ``pip show conslaw`` says, run outside the source tree (where a stale .egg-info could answer)."""
    done = subprocess.run([sys.executable, "-m", "pip", "show", "conslaw"], capture_output=True, text=True,
                          check=True, timeout=120, cwd=cwd)
    return dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)


def test_version_and_docstring():
    assert conslaw.__file__ is not None  # a real package, not an empty namespace ("built-in" in help())
    assert "conservation laws" in conslaw.__doc__ and len(conslaw.__doc__.splitlines()) <= 45
    failed, tried = doctest.testmod(conslaw, verbose=False)
    assert tried >= 5 and failed == 0


def test_public_api_resolves():
    for name in conslaw.__all__:
        assert getattr(conslaw, name) is not None, name
    assert set(conslaw.__all__) <= set(dir(conslaw))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        conslaw.nope  # noqa: B018


def test_import_is_cheap():
    assert _run_python("import sys, conslaw; print(sorted(m for m in ('sympy', 'torch', 'networkx') "
                       "if m in sys.modules))") == "[]"


def test_metadata(tmp_path):
    shown = _pip_show(tmp_path)
    assert shown["Version"] == conslaw.__version__
    assert shown["Author"] and shown["Home-page"].startswith("https://") and shown["License"] == "BSD-3-Clause"
    dist = next(d for d in importlib.metadata.distributions(name="conslaw") if d.read_text("METADATA"))
    assert any(str(f).endswith("LICENSE") for f in dist.files or []) or "License-File: LICENSE" in dist.read_text("METADATA")


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["check", "CERT"], ["architectures"]])
def test_light_commands_do_not_import_torch(argv, tmp_path):
    """``conslaw --version``, ``--help``, ``check`` (and ``architectures``) start without torch."""
    from conslaw.verification.proofs.certificate import certify, write_certificate

    cert = tmp_path / "cert.json"
    write_certificate(certify("relu", [1, 1, 1]), str(cert))
    argv = [str(cert) if a == "CERT" else a for a in argv]
    code = (f"import sys; sys.argv = ['conslaw', *{argv!r}]\nfrom conslaw.__main__ import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "print('torch' in sys.modules, code)")
    torch_loaded, status = _run_python(code).splitlines()[-1].split()
    assert torch_loaded == "False" and status in ("0", "None")


def test_version_command():
    exe = shutil.which("conslaw")
    assert exe is not None
    for cmd in ([exe, "--version"], [sys.executable, "-m", "conslaw", "--version"], [exe, "-V"]):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.strip() == f"conslaw {conslaw.__version__}"


def test_every_package_folder_is_in_setup_cfg():
    """Each folder of algebra/, verification/ and api/ that holds an __init__.py is a package setup.cfg installs
    (with its package_dir mapping), so a new subpackage cannot be left out of the wheel."""
    import configparser
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    cfg = configparser.ConfigParser()
    cfg.read(root / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    mapping = dict(line.split(" = ") for line in cfg["options"]["package_dir"].strip().splitlines())
    found = set()
    for top, name in (("algebra", "conslaw.algebra"), ("verification", "conslaw.verification"), ("api", "conslaw")):
        for init in (root / top).rglob("__init__.py"):
            rel = init.parent.relative_to(root / top)
            found.add(".".join([name, *rel.parts]))
    assert found == listed
    assert all((root / path).is_dir() for path in mapping.values())
