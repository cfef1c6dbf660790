import platform
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from course_utils import environment

ROOT = Path(__file__).resolve().parents[1]


def test_pins_are_read_from_a_constraints_file(tmp_path):
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# comment\ntorch==2.13.0\nJupyter_Core==5.9.1\nnot-a-pin>=1\n")
    assert environment.read_pins(constraints) == {"torch": "2.13.0", "jupyter-core": "5.9.1"}


def test_report_flags_missing_and_mismatched_packages(tmp_path, capsys):
    constraints = tmp_path / "constraints.txt"
    numpy_version = metadata.version("numpy")
    constraints.write_text(f"numpy=={numpy_version}\npytest==0.0.1\n")
    checks = environment.check_environment(
        ("numpy", "pytest", "surely-not-installed-package"), constraints
    )
    assert [c.ok for c in checks] == [True, False, False]
    assert environment.print_environment_report(checks, place="local") is False
    out = capsys.readouterr().out
    assert f"✅ numpy {numpy_version}" in out
    assert "outputs were made with 0.0.1" in out  # pytest: supported, another version
    assert "surely-not-installed-package: not installed. Run `make lab`" in out


def test_local_version_labels_match_their_pin():
    assert environment.PackageCheck("torch", "2.13.0", "2.13.0+cpu").ok
    assert not environment.PackageCheck("torch", "2.13.0", "2.14.1").ok


@pytest.mark.pins
def test_the_course_environment_matches_its_own_pins():
    # The set-up (make test) installs constraints.txt, so this machine must agree with it.
    assert all(check.ok for check in environment.check_environment())


def test_the_package_ships_the_course_pins_unchanged():
    # course_utils/constraints.txt goes into the wheel; make installs the top-level one
    top_level = environment.CONSTRAINTS.parents[1] / "constraints.txt"
    assert environment.CONSTRAINTS.read_text() == top_level.read_text(), (
        "course_utils/constraints.txt differs from constraints.txt: "
        "after changing a pin, run `cp constraints.txt course_utils/constraints.txt`"
    )


def test_without_pins_the_report_says_it_cannot_check(tmp_path, capsys):
    checks = environment.check_environment(("numpy",), tmp_path / "missing.txt")
    assert not checks[0].ok and checks[0].usable
    assert environment.print_environment_report(checks) is True  # it runs, unchecked
    out = capsys.readouterr().out
    assert f"⚠️ numpy {metadata.version('numpy')}: version not checked" in out
    assert "✅ numpy" not in out


def test_the_setup_check_covers_every_library_the_package_depends_on():
    # the oracle: course_utils' own installed metadata (pyproject.toml's dependencies)
    requirements = metadata.requires("course_utils") or []
    required = {
        requirement.split(";")[0].split(">")[0].split("<")[0].split("=")[0].strip().lower()
        for requirement in requirements
        if "extra ==" not in requirement
    }
    assert "scikit-learn" in required  # notebook 13's digits come from it
    assert required <= set(environment.COURSE_PACKAGES)
    assert {"ipywidgets", "jupyterlab"} <= set(environment.COURSE_PACKAGES)  # the lab's


def test_a_broken_install_without_a_name_and_a_second_copy_do_not_confuse_the_check(monkeypatch):
    class Distribution:
        def __init__(self, name, version):
            self.name, self.version = name, version

    installed = [
        Distribution(None, "?"),
        Distribution("Torch", "2.13.0"),
        Distribution("torch", "1.0"),
    ]
    monkeypatch.setattr(environment.metadata, "distributions", lambda: installed)
    (check,) = environment.check_environment(packages=("torch",))
    assert check.installed == "2.13.0"  # the first copy on the path is the one Python imports


# --- versions: the supported ranges ------------------------------------------------------------


def test_the_supported_ranges_are_pyprojects():
    # the oracle: pyproject.toml read with tomllib (the installed metadata is what the check reads)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ranges = environment.supported_ranges()
    assert ranges["torch"] == project["dependencies"][0].removeprefix("torch") == ">=2.13,<2.15"
    assert ranges["ipywidgets"] == "==8.1.2"
    assert environment.supported_pythons() == ["3.11", "3.12", "3.13"]
    assert project["requires-python"] == ">=3.11,<3.14"


@pytest.mark.parametrize(
    ("version", "supported", "expected"),
    [
        ("2.13.0", ">=2.13,<2.15", True),
        ("2.14.1+cu128", ">=2.13,<2.15", True),
        ("2.15.0", ">=2.13,<2.15", False),
        ("2.12.1", ">=2.13,<2.15", False),
        ("3.9.2", ">=3.9.2,<3.12", True),
        ("3.9.1", ">=3.9.2,<3.12", False),
        ("8.1.2", "==8.1.2", True),
        ("8.1.3", "==8.1.2", False),
        ("2.13.0", "==2.13", True),  # as pip reads ==2.13: 2.13.0 matches
        ("7.7.1", "", True),
    ],
)
def test_a_version_is_in_a_range_as_pip_would_say(version, supported, expected):
    assert environment.in_range(version, supported) is expected


# --- where the notebook runs, and what to fix there ---------------------------------------------


@pytest.mark.parametrize(
    ("environ", "modules", "place"),
    [
        ({}, {}, "local"),
        ({"COLAB_RELEASE_TAG": "release-colab_20260101-060000"}, {}, "colab"),
        ({}, {"google.colab": object()}, "colab"),
        ({"JUPYTERHUB_API_TOKEN": "x", "JUPYTERHUB_USER": "ada"}, {}, "hub"),
        (
            {"JUPYTERHUB_API_TOKEN": "x", "BINDER_LAUNCH_HOST": "https://mybinder.org/"},
            {},
            "binder",
        ),
    ],
)
def test_where_it_runs(environ, modules, place):
    assert environment.where_it_runs(environ, modules) == place


def report(place, checks, capsys):
    ready = environment.print_environment_report(checks, place=place)
    return ready, capsys.readouterr().out.splitlines()


def test_each_place_says_what_to_fix_there(capsys):
    torch_too_old = environment.PackageCheck("torch", "2.13.0", "2.9.0", ">=2.13,<2.15")
    for place, fix in [
        ("local", "Run `make lab` in the course folder"),
        ("colab", '%pip install "torch>=2.13,<2.15", then Runtime → Restart session'),
        ("hub", '%pip install "torch>=2.13,<2.15" and restart the kernel, or ask the hub'),
        ("binder", "start it again from the course's Binder link"),
    ]:
        ready, lines = report(place, [torch_too_old], capsys)
        assert ready is False
        assert lines[0] == f"Running in {environment.PLACES[place]}."
        assert lines[2].startswith("❌ torch 2.9.0: the course supports torch>=2.13,<2.15. ")
        assert fix in lines[2], (place, lines[2])


def test_another_supported_version_is_a_warning_that_still_runs(capsys):
    newer = environment.PackageCheck("torch", "2.13.0", "2.14.1+cu128", ">=2.13,<2.15")
    ready, lines = report("local", [newer], capsys)
    assert ready is True
    assert lines[2].startswith("⚠️ torch 2.14.1+cu128: supported, but the committed outputs")
    assert "`make lab` installs that version" in lines[2]
    ready, lines = report("colab", [newer], capsys)
    assert ready is True and "make lab" not in lines[2]  # nothing to fix in Colab


def test_colab_does_not_check_the_front_end_it_brings(capsys):
    checks = [
        environment.PackageCheck("jupyterlab", "4.6.6", None, ">=4.2,<4.7"),
        environment.PackageCheck("ipywidgets", "8.1.2", "7.7.1", "==8.1.2"),
    ]
    ready, lines = report("colab", checks, capsys)
    assert ready is True and len(lines) == 2  # where, and Python
    ready, lines = report("local", checks, capsys)
    assert ready is False and len(lines) == 4


def test_the_python_line_names_the_supported_versions(capsys, monkeypatch):
    here = ".".join(platform.python_version_tuple()[:2])
    ready, lines = report("local", [], capsys)
    assert lines[1] == f"✅ Python {here} (the course supports 3.11, 3.12 and 3.13)"
    monkeypatch.setattr(environment.platform, "python_version_tuple", lambda: ("3", "10", "4"))
    for place, fix in [("local", "make lab"), ("colab", "Runtime → Change runtime type")]:
        ready, lines = report(place, [], capsys)
        assert ready is False
        assert lines[1].startswith("❌ Python 3.10: the course supports 3.11, 3.12 and 3.13. ")
        assert fix in lines[1]
