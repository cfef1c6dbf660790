"""Each notebook opens on its own (Colab, a hub): badge, install cell, its pictures.

The tool, ``python -m course_tools.colab``, is tested on small notebooks; the course's
own notebooks are then checked against the one repository address (pyproject.toml) and
images/.
"""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_tools import colab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ADDRESS = "https://github.com/someone/some-course"


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "open_in_colab.png").write_bytes(b"\x89PNG badge")
    (folder / "neuron.png").write_bytes(b"\x89PNG neuron")
    (folder / "my picture.png").write_bytes(b"\x89PNG spaces")
    return folder


def small_notebook():
    v4 = nbformat.v4
    return v4.new_notebook(
        cells=[
            v4.new_markdown_cell("# 07 · A title", id="title"),
            v4.new_markdown_cell(
                "A neuron: ![a neuron](../images/neuron.png)\n"
                '<img src="../images/neuron.png" width=300>',
                id="picture",
            ),
            v4.new_code_cell("import torch", id="imports"),
            v4.new_markdown_cell(
                "![pasted](attachment:pasted.png)",
                id="pasted",
                attachments={"pasted.png": {"image/png": "UEFTVEVE"}},
            ),
        ]
    )


def decoded(attachment):
    (data,) = attachment.values()
    return base64.b64decode(data)


def test_the_badge_comes_first_and_opens_this_notebook_in_colab(images):
    notebook = colab.prepare_notebook(small_notebook(), "07_x.ipynb", ADDRESS, images)
    badge = notebook.cells[0]
    assert badge.cell_type == "markdown"
    # the oracle: Colab's documented form,
    # colab.research.google.com/github/OWNER/REPO/blob/BRANCH/PATH
    url = "https://colab.research.google.com/github/someone/some-course/blob/main/notebooks/07_x.ipynb"
    assert badge.source == f"[![Open in Colab](attachment:open_in_colab.png)]({url})"
    assert decoded(badge.attachments["open_in_colab.png"]) == b"\x89PNG badge"
    assert badge.metadata["slideshow"]["slide_type"] == "skip"
    assert notebook.cells[1].source == "# 07 · A title"


def test_the_install_cell_comes_just_before_the_first_code_cell(images):
    notebook = colab.prepare_notebook(small_notebook(), "07_x.ipynb", ADDRESS, images)
    kinds = [cell.get("id") for cell in notebook.cells]
    assert kinds == [
        "open-in-colab",
        "title",
        "picture",
        "install-course-utils",
        "imports",
        "pasted",
    ]
    install = notebook.cells[3]
    assert f'repository = "git+{ADDRESS}"\n' in install.source
    assert 'source = os.environ.get("COURSE_UTILS_SOURCE", repository)' in install.source
    assert '"--no-deps"' in install.source  # Colab's torch, numpy and matplotlib are kept
    assert install.metadata["slideshow"]["slide_type"] == "skip"


def test_the_install_cell_is_formatted_as_ruff_formats_the_notebooks():
    long_address = "https://github.com/a-rather-long-organisation-name/a-long-course-repository"
    for address in (ADDRESS, long_address):
        source = colab.install_cell(address).source + "\n"
        result = subprocess.run(
            [sys.executable, "-m", "ruff", "format", "--diff", "-"],
            input=source,
            cwd=ROOT,  # the course's ruff settings
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout
        lint = subprocess.run(
            # as a notebook's cell: its comments are laid out at 100 columns
            # (pyproject's "*.ipynb" rules leave out W505, the docstrings' 88)
            [sys.executable, "-m", "ruff", "check", "--ignore", "W505"]
            + ["--stdin-filename", "cell.py", "-"],
            input=source,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout


def test_pictures_become_attachments_with_the_bytes_of_images(images):
    notebook = colab.prepare_notebook(small_notebook(), "07_x.ipynb", ADDRESS, images)
    picture = notebook.cells[2]
    assert "../images" not in picture.source
    assert picture.source == (
        'A neuron: ![a neuron](attachment:neuron.png)\n<img src="attachment:neuron.png" width=300>'
    )
    assert set(picture.attachments) == {"neuron.png"}
    assert decoded(picture.attachments["neuron.png"]) == b"\x89PNG neuron"
    assert picture.attachments["neuron.png"].keys() == {"image/png"}


def test_a_picture_pasted_into_the_notebook_is_kept(images):
    notebook = small_notebook()
    colab.prepare_notebook(notebook, "07_x.ipynb", ADDRESS, images)
    assert notebook.cells[-1].attachments == {"pasted.png": {"image/png": "UEFTVEVE"}}


def test_running_it_again_changes_nothing_and_refreshes_redrawn_pictures(images):
    once = colab.prepare_notebook(small_notebook(), "07_x.ipynb", ADDRESS, images)
    text = nbformat.writes(once)
    twice = colab.prepare_notebook(
        nbformat.reads(text, as_version=4), "07_x.ipynb", ADDRESS, images
    )
    assert nbformat.writes(twice) == text
    (images / "neuron.png").write_bytes(b"\x89PNG redrawn")
    again = colab.prepare_notebook(twice, "07_x.ipynb", ADDRESS, images)
    assert decoded(again.cells[2].attachments["neuron.png"]) == b"\x89PNG redrawn"
    assert len(again.cells) == len(small_notebook().cells) + 2


def install_cell_of(notebook):
    return next(cell for cell in notebook.cells if cell.get("id") == colab.INSTALL_ID)


def test_an_install_cell_as_it_should_be_keeps_its_run_and_an_old_one_is_replaced(images):
    notebook = colab.prepare_notebook(small_notebook(), "07_x.ipynb", ADDRESS, images)
    install = install_cell_of(notebook)
    assert install.execution_count is None
    install.execution_count = 1  # as make execute leaves it
    install.outputs = [nbformat.v4.new_output("stream", text="installed\n")]
    colab.prepare_notebook(notebook, "07_x.ipynb", ADDRESS, images)
    kept = install_cell_of(notebook)
    assert kept.execution_count == 1 and len(kept.outputs) == 1
    moved = colab.prepare_notebook(notebook, "07_x.ipynb", "https://github.com/o/r", images)
    assert install_cell_of(moved).execution_count is None
    assert install_cell_of(moved).outputs == []
    assert "https://github.com/o/r" in install_cell_of(moved).source


def test_a_missing_picture_is_a_clear_error(images):
    notebook = small_notebook()
    notebook.cells[1].source = "![typo](../images/nueron.png)"
    with pytest.raises(FileNotFoundError, match="no picture .*nueron.png: draw the pictures"):
        colab.prepare_notebook(notebook, "07_x.ipynb", ADDRESS, images)


def test_the_repository_address_must_be_a_github_repository(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\n[project.urls]\nRepository = "https://example.org/x"\n'
    )
    with pytest.raises(ValueError, match="must be a GitHub repository's address"):
        colab.repository_address(pyproject)
    pyproject.write_text(f'[project]\nname = "x"\n[project.urls]\nRepository = "{ADDRESS}"\n')
    assert colab.repository_address(pyproject) == ADDRESS


def test_the_command_rewrites_only_what_changed(tmp_path, images, monkeypatch):
    monkeypatch.setattr(colab, "IMAGES", images)
    path = tmp_path / "07_x.ipynb"
    nbformat.write(small_notebook(), path)
    assert colab.main([str(path)]) == [path]
    assert colab.main([str(path)]) == []
    assert json.loads(path.read_text())["cells"][0]["id"] == "open-in-colab"


@pytest.mark.parametrize("installed", [True, False])
def test_the_install_cell_does_nothing_where_the_package_is_installed(tmp_path, installed):
    """Where course_utils imports: no output (nbval compares it); else pip gets it."""
    cell = colab.install_cell(ADDRESS).source
    # where the package is missing, a stand-in for pip records what it was asked to do
    fake_pip = tmp_path / "pip"
    fake_pip.mkdir()
    (fake_pip / "__init__.py").write_text("")
    (fake_pip / "__main__.py").write_text("import sys; print('pip', *sys.argv[1:])")
    # without site-packages (-S) the editable course_utils of the set-up cannot be found
    hide = [] if installed else ["-S"]
    result = subprocess.run(
        [sys.executable, *hide, "-c", cell],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "COURSE_UTILS_SOURCE": "/wheels/course.whl"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    if installed:
        assert result.stdout == "" and result.stderr == ""
    else:
        assert result.stdout == (
            "pip install --quiet --no-deps /wheels/course.whl tqdm\n"
            "course_utils installed from /wheels/course.whl\n"
        )


@pytest.mark.pins  # drawn by another matplotlib, the pixels differ a little
def test_the_badges_are_drawn_by_the_tool(tmp_path):
    written = colab.write_badges(tmp_path)
    for path in written:
        assert path.read_bytes() == (ROOT / "images" / path.name).read_bytes(), (
            f"images/{path.name} is not what the tool draws: "
            "run python -m course_tools.colab --badges"
        )


# --- the course's notebooks -----------------------------------------------------------
# these pass once `python -m course_tools.colab notebooks/*.ipynb` ran


@pytest.fixture(scope="module")
def address():
    return colab.repository_address()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_starts_with_its_colab_badge(path, address):
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    assert first.get("id") == colab.BADGE_ID, (
        f"{path.name} has no Colab badge: run python -m course_tools.colab notebooks/*.ipynb"
    )
    assert first.source == colab.badge_cell(address, path.name).source
    owner_and_name = address.removeprefix("https://github.com/")
    expected = f"https://colab.research.google.com/github/{owner_and_name}/blob/main/notebooks/"
    assert first.source.endswith(f"]({expected}{path.name})")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_first_code_cell_installs_the_package_from_the_repository(path, address):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].get("id") == colab.INSTALL_ID, f"{path.name}: run course_tools.colab"
    assert code[0].source == colab.install_cell(address).source
    assert code[0].get("outputs", []) == []  # prints nothing where course_utils is installed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_picture_is_attached_and_equal_to_the_one_in_images(path):
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "markdown":
            continue
        assert "../images/" not in cell.source, (
            f"{path.name}, cell {number}: run course_tools.colab"
        )
        for name in re.findall(r"attachment:([^)\"'\s>]+)", cell.source):
            attachment = cell.get("attachments", {}).get(name)
            assert attachment is not None, f"{path.name}, cell {number}: {name} is not attached"
            assert decoded(attachment) == (ROOT / "images" / name).read_bytes(), (
                f"{path.name}, cell {number}: {name} differs from images/{name}: "
                "run python -m course_tools.colab notebooks/*.ipynb"
            )


def test_the_readmes_badges_and_links_use_the_repository_address(address):
    readme = (ROOT / "README.md").read_text()
    owner_and_name = address.removeprefix("https://github.com/")
    colab_links = re.findall(r"https://colab\.research\.google\.com/github/[^)\s]+", readme)
    assert sorted(colab_links) == sorted(
        colab.colab_url(address, path.name) for path in NOTEBOOKS
    ), "the README's map needs one Colab badge per notebook"
    for link in re.findall(r"https://mybinder\.org/v2/gh/[^)\s]+", readme):
        assert link.startswith(f"https://mybinder.org/v2/gh/{owner_and_name}/main"), link
    assert "[![Binder](images/launch_binder.png)](https://mybinder.org/v2/gh/" in readme
    assert f"git-pull?repo={address.replace(':', '%3A').replace('/', '%2F')}" in readme
    assert re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", readme) == [address] * len(
        re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", readme)
    )
