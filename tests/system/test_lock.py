"""
The lock files are what both README commands install: every package at the
exact version the tests ran with. They must agree with the readable
requirements: every direct dependency pinned at a version its range allows,
and the test lock holding the app lock's versions. Regenerate them with the
command at the top of each lock (uv), after changing a requirements file.
"""

from __future__ import annotations

from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYTHON = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux"}


def requirements(name: str) -> list[Requirement]:
    found = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += requirements(line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


def pins(name: str) -> dict[str, str]:
    """The lock's pins that apply on Linux with Python 3.11: package → version."""
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        if not line or line.startswith((" ", "#")):
            continue
        requirement = Requirement(line)
        assert len(requirement.specifier) == 1 and next(iter(requirement.specifier)).operator == "==", line
        if requirement.marker is None or Marker(str(requirement.marker)).evaluate(PYTHON):
            found[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
    return found


def test_every_direct_dependency_is_pinned_within_its_range():
    for source, lock in (("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")):
        pinned = pins(lock)
        for requirement in requirements(source):
            name = canonicalize_name(requirement.name)
            assert name in pinned, f"{lock} lacks {name}: regenerate it (see its first lines)"
            assert requirement.specifier.contains(pinned[name], prereleases=True), \
                f"{lock} pins {name}=={pinned[name]}, outside {source}'s {requirement.specifier}"


def test_the_test_lock_installs_the_app_lock_versions():
    app, tests = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: tests.get(name) for name in app} == app


def test_both_readme_commands_install_from_the_locks():
    readme = (ROOT / "README.md").read_text()
    assert "-r requirements.lock" in readme and "-r requirements-dev.lock" in readme
    assert "-r requirements-dev.lock" in (ROOT / ".ci" / "run").read_text()
