from importlib import metadata

from course_utils import environment


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
    assert environment.print_environment_report(checks) is False
    out = capsys.readouterr().out
    assert f"✅ numpy {numpy_version}" in out
    assert "tested with 0.0.1" in out
    assert "surely-not-installed-package: not installed" in out


def test_local_version_labels_match_their_pin():
    assert environment.PackageCheck("torch", "2.13.0", "2.13.0+cpu").ok
    assert not environment.PackageCheck("torch", "2.13.0", "2.14.1").ok


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
    assert not checks[0].ok
    assert environment.print_environment_report(checks) is False
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
