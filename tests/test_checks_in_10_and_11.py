"""The exercise checks of notebooks 10 and 11 reject the wrong answers issue 22 names.

Each notebook's code cells run once in one namespace, as a student's kernel runs them
(without the solution cells and the widgets); then each test puts one answer in place of
the student's stub and runs the notebook's own check cell on it. A wrong answer must get
❌, a right one ✅.
"""

import contextlib
import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHECKED_NAME = re.compile(r'checks\.check_\w+\(\s*"([^"]+)"')


class NotebookKernel:
    """A notebook's code cells run in one namespace; its check cells by exercise."""

    def __init__(self, path: Path):
        self.namespace: dict = {"__name__": "__main__"}
        self.check_cells: dict[str, str] = {}
        notebook = nbformat.read(path, as_version=4)
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in notebook.cells:
                if not self._runs(cell):
                    continue
                exec(compile(cell.source, path.name, "exec"), self.namespace)
                for name in CHECKED_NAME.findall(cell.source):
                    self.check_cells[name] = cell.source
        plt.close("all")

    @staticmethod
    def _runs(cell) -> bool:
        """Code cells but the solutions, the widgets and the final clean-up of files."""
        if cell.cell_type != "code" or "solution" in cell.metadata.get("tags", []):
            return False
        return "widgets." not in cell.source and ".cleanup()" not in cell.source

    def check(self, exercise: str, answer: str) -> str:
        """What the check cell of ``exercise`` prints for ``answer``, a stub's code."""
        exec(answer, self.namespace)
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            exec(self.check_cells[exercise], self.namespace)
        return printed.getvalue()


def verdict(printed: str) -> str:
    return printed.splitlines()[0]


@pytest.fixture(scope="module")
def notebook_10():
    kernel = NotebookKernel(NOTEBOOKS / "10_save_and_load.ipynb")
    yield kernel
    kernel.namespace["temporary_folder"].cleanup()


@pytest.fixture(scope="module")
def notebook_11():
    return NotebookKernel(NOTEBOOKS / "11_inference.ipynb")


# ------------------------------------------------------ 10, exercise 1: architecture_of

ARCHITECTURE_RIGHT = """
def architecture_of(path):
    hidden_units, input_features = torch.load(path, weights_only=True)["linear1.weight"].shape
    return input_features, hidden_units
"""

ARCHITECTURE_WRONG = {
    # the check's own reference used to map the file names to the answers
    "the check's file names looked up": """
def architecture_of(path):
    return exercise_architectures[path.name]
""",
    "the shapes in the wrong order": """
def architecture_of(path):
    return tuple(torch.load(path, weights_only=True)["linear1.weight"].shape)
""",
    "the seed's model, hard-coded": """
def architecture_of(path):
    return 2, 10
""",
    # the task says torch alone: course_utils'
    # loader lists the shapes in its error message
    "course_utils reads the file": """
import re

def architecture_of(path):
    try:
        checkpoint.load_model(path)
    except checkpoint.NotACheckpointError as error:
        out_features, in_features = re.search(r"linear1.weight \\((\\d+), (\\d+)\\)", str(error)).groups()
        return int(in_features), int(out_features)
""",
}


UNSAFE_LOADS = {
    "torch.load": "torch.load(path, weights_only=False)",
    # bound before the check runs: watching the name torch.load would miss these
    "torch.load imported under another name": "read(path, weights_only=False)",
    "torch.serialization.load": "torch.serialization.load(path, weights_only=False)",
}


@pytest.mark.parametrize("way", UNSAFE_LOADS)
def test_10_architecture_of_refuses_an_unsafe_load(notebook_10, fresh_checker, way):
    unsafe = f"""
from torch import load as read

def architecture_of(path):
    hidden_units, input_features = {UNSAFE_LOADS[way]}["linear1.weight"].shape
    return input_features, hidden_units
"""
    printed = notebook_10.check("architecture_of", unsafe)
    assert verdict(printed).startswith("❌"), printed
    assert "load with weights_only=True" in verdict(printed), printed
    assert "your code raised" not in printed, printed  # the check found it, not a crash


def test_10_architecture_of_passes_a_right_answer(notebook_10, fresh_checker):
    assert verdict(notebook_10.check("architecture_of", ARCHITECTURE_RIGHT)).startswith("✅")


@pytest.mark.parametrize("mistake", ARCHITECTURE_WRONG)
def test_10_architecture_of_rejects(notebook_10, fresh_checker, mistake):
    printed = notebook_10.check("architecture_of", ARCHITECTURE_WRONG[mistake])
    assert verdict(printed).startswith("❌"), printed


def test_10_architecture_of_names_what_was_used_and_the_hard_coded_answer(
    notebook_10, fresh_checker
):
    printed = notebook_10.check(
        "architecture_of", ARCHITECTURE_WRONG["course_utils reads the file"]
    )
    assert "course_utils.checkpoint" in verdict(printed) and "torch.load" in verdict(printed)
    printed = notebook_10.check(
        "architecture_of", ARCHITECTURE_WRONG["the seed's model, hard-coded"]
    )
    assert "Hint for this input: Not every file holds the seed's model" in printed


def test_10_architecture_of_names_the_number_that_differs(notebook_10, fresh_checker):
    printed = notebook_10.check(
        "architecture_of", ARCHITECTURE_WRONG["the shapes in the wrong order"]
    )
    assert ": input_features: got 10, expected 2" in verdict(printed), printed


# ------------------------------------------------------- 10, exercise 2: resume exactly

RESUME_RIGHT = {
    "with save_checkpoint": """
def save_for_resume(path, model, optimizer, generator, epoch):
    checkpoint.save_checkpoint(
        path, model, optimizer, epoch=epoch,
        loader=generator.get_state(), everything_else=torch.get_rng_state(),
    )

def resume(path, model, optimizer, generator):
    saved = checkpoint.load_checkpoint(path, model=model, optimizer=optimizer)
    generator.set_state(saved["metadata"]["loader"])
    torch.set_rng_state(saved["metadata"]["everything_else"])
    return saved["epoch"]
""",
    "with torch.save of a dict": """
def save_for_resume(path, model, optimizer, generator, epoch):
    torch.save({
        "model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch,
        "loader": generator.get_state(), "global": torch.get_rng_state(),
    }, path)

def resume(path, model, optimizer, generator):
    saved = torch.load(path, weights_only=True)
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    generator.set_state(saved["loader"])
    torch.set_rng_state(saved["global"])
    return saved["epoch"]
""",
}

RESUME_WRONG = {
    # the notebook's solution before issue 22: dropout draws from the global generator
    "only the loader's generator": """
def save_for_resume(path, model, optimizer, generator, epoch):
    checkpoint.save_checkpoint(path, model, optimizer, epoch=epoch, rng=generator.get_state())

def resume(path, model, optimizer, generator):
    saved = checkpoint.load_checkpoint(path, model=model, optimizer=optimizer)
    generator.set_state(saved["metadata"]["rng"])
    return saved["epoch"]
""",
    "only the global generator": """
def save_for_resume(path, model, optimizer, generator, epoch):
    checkpoint.save_checkpoint(path, model, optimizer, epoch=epoch, rng=torch.get_rng_state())

def resume(path, model, optimizer, generator):
    saved = checkpoint.load_checkpoint(path, model=model, optimizer=optimizer)
    torch.set_rng_state(saved["metadata"]["rng"])
    return saved["epoch"]
""",
}


# each of these passed, or got torch's own advice to load unsafely, before the check
# looked at how the file was written and read, and at the epoch
RESUME_TOLD = {
    "the optimizer saved whole, loaded unsafely": (
        """
def save_for_resume(path, model, optimizer, generator, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer, "epoch": epoch,
                "loader": generator.get_state(), "global": torch.get_rng_state()}, path)

def resume(path, model, optimizer, generator):
    saved = torch.load(path, weights_only=False)
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"].state_dict())
    generator.set_state(saved["loader"])
    torch.set_rng_state(saved["global"])
    return saved["epoch"]
""",
        "Save tensors, numbers and state_dicts",
    ),
    "state_dicts saved, loaded unsafely": (
        RESUME_RIGHT["with torch.save of a dict"].replace(
            "weights_only=True", "weights_only=False"
        ),
        "load with weights_only=True",
    ),
    "the epoch hard-coded": (
        RESUME_RIGHT["with torch.save of a dict"].replace('return saved["epoch"]', "return 1"),
        "resume returned epoch 1, but training stopped after epoch 3",
    ),
}


@pytest.mark.parametrize("mistake", RESUME_TOLD)
def test_10_resume_is_told_what_is_wrong(notebook_10, fresh_checker, mistake):
    answer, told = RESUME_TOLD[mistake]
    printed = notebook_10.check("resume exactly", answer)
    assert verdict(printed).startswith("❌"), printed
    assert told in verdict(printed), printed
    assert "your code raised" not in printed, printed  # the check found it, not a crash
    assert "Without dropout" not in printed, printed


@pytest.mark.parametrize("way", RESUME_RIGHT)
def test_10_resume_passes_a_right_answer(notebook_10, fresh_checker, way):
    printed = notebook_10.check("resume exactly", RESUME_RIGHT[way])
    assert verdict(printed).startswith("✅"), printed


@pytest.mark.parametrize("mistake", RESUME_WRONG)
def test_10_resume_rejects(notebook_10, fresh_checker, mistake):
    printed = notebook_10.check("resume exactly", RESUME_WRONG[mistake])
    assert verdict(printed).startswith("❌"), printed


def test_10_resume_without_the_global_generator_is_told_about_dropout(notebook_10, fresh_checker):
    printed = notebook_10.check("resume exactly", RESUME_WRONG["only the loader's generator"])
    assert "Hint for this input: Without dropout your resume is exact" in printed


# ------------------------------------------------------ 11, exercise 1: predict_classes

CLASSES_RIGHT = {
    "with models.eval_mode": """
def predict_classes(model, X, threshold=0.5):
    with models.eval_mode(model):
        probabilities = model(X)
    return (probabilities > threshold).long().reshape(-1)
""",
    "restoring the mode by hand": """
def predict_classes(model, X, threshold=0.5):
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        probabilities = model(X)
    model.train(was_training)
    return (probabilities[:, 0] > threshold).long()
""",
}

CLASSES_WRONG = {
    # the first-feature model's classes are known
    # without it: the check must see the model run
    "the model never runs": """
def predict_classes(model, X, threshold=0.5):
    return (X[:, 0] > torch.logit(torch.tensor(threshold))).long()
""",
    # the notebook's solution before issue 22
    "the model left in evaluation mode": """
def predict_classes(model, X, threshold=0.5):
    model.eval()
    with torch.inference_mode():
        probabilities = model(X)
    return (probabilities > threshold).long().reshape(-1)
""",
    "point by point, not one batch": """
def predict_classes(model, X, threshold=0.5):
    with models.eval_mode(model):
        probabilities = torch.cat([model(x.unsqueeze(0)) for x in X])
    return (probabilities > threshold).long().reshape(-1)
""",
    "in training mode": """
def predict_classes(model, X, threshold=0.5):
    with torch.no_grad():
        probabilities = model(X)
    return (probabilities > threshold).long().reshape(-1)
""",
    # right values, but model.forward(X) skips the hooks that the check watches through
    "model.forward(X), not model(X)": """
def predict_classes(model, X, threshold=0.5):
    with models.eval_mode(model), torch.no_grad():
        probabilities = model.forward(X)
    return (probabilities > threshold).long().reshape(-1)
""",
    "recording gradients": """
def predict_classes(model, X, threshold=0.5):
    was_training = model.training
    model.eval()
    probabilities = model(X)
    model.train(was_training)
    return (probabilities > threshold).long().reshape(-1)
""",
    "shape () for one point": """
def predict_classes(model, X, threshold=0.5):
    with models.eval_mode(model):
        probabilities = model(X)
    return (probabilities > threshold).long().squeeze()
""",
    "a probability equal to the threshold called class 1": """
def predict_classes(model, X, threshold=0.5):
    with models.eval_mode(model):
        probabilities = model(X)
    return (probabilities >= threshold).long().reshape(-1)
""",
    "floats for classes": """
def predict_classes(model, X, threshold=0.5):
    with models.eval_mode(model):
        probabilities = model(X)
    return (probabilities > threshold).float().reshape(-1)
""",
    # right for a model handed over in training mode, as every case gave it before
    "the model always given back in training mode": """
def predict_classes(model, X, threshold=0.5):
    model.eval()
    with torch.no_grad():
        probabilities = model(X)
    model.train()
    return (probabilities > threshold).long().reshape(-1)
""",
}

CLASSES_HINTS = {
    "shape () for one point": "One point is still a batch",
    "a probability equal to the threshold called class 1": "A probability equal to the threshold",
    "the model always given back in training mode": "This model comes in evaluation mode",
}


@pytest.mark.parametrize("way", CLASSES_RIGHT)
def test_11_predict_classes_passes_a_right_answer(notebook_11, fresh_checker, way):
    printed = notebook_11.check("predict_classes", CLASSES_RIGHT[way])
    assert verdict(printed).startswith("✅"), printed


@pytest.mark.parametrize("mistake", CLASSES_WRONG)
def test_11_predict_classes_rejects(notebook_11, fresh_checker, mistake):
    printed = notebook_11.check("predict_classes", CLASSES_WRONG[mistake])
    assert verdict(printed).startswith("❌"), printed
    if mistake in CLASSES_HINTS:
        assert f"Hint for this input: {CLASSES_HINTS[mistake]}" in printed, printed


# what the check cell, watching the model run, says of each: as it is, not as a crash
CLASSES_WATCHED = {
    "the model never runs": "the model never ran: the classes must come from its predictions",
    "the model left in evaluation mode": "the model came back in another mode",
    "point by point, not one batch": "predict all 5 points in one call of the model",
    "in training mode": "the model predicted in training mode: switch to evaluation mode",
    "recording gradients": "PyTorch recorded gradients while predicting: turn recording off",
    "model.forward(X), not model(X)": "call the model itself, model(X), not model.forward(X)",
}


@pytest.mark.parametrize("mistake", CLASSES_WATCHED)
def test_11_predict_classes_says_what_the_check_saw(notebook_11, fresh_checker, mistake):
    printed = notebook_11.check("predict_classes", CLASSES_WRONG[mistake])
    assert f": {CLASSES_WATCHED[mistake]}" in verdict(printed), printed
    assert "raised" not in printed, printed


# ---------------------------------------------------- 11, exercise 2: predict_or_refuse

REFUSE_RIGHT = {
    "one range per feature": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    with models.eval_mode(model):
        classes = (model(X)[:, 0] > threshold).long()
    return torch.where(inside, classes, -1)
""",
    "the model asked about the points inside only": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    answers = torch.full((len(X),), -1)
    with models.eval_mode(model):
        answers[inside] = (model(X[inside])[:, 0] > threshold).long()
    return answers
""",
}

REFUSE_WRONG = {
    # X_train.min() without dim: one range for both features
    "one range for all features": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    inside = ((X >= X_train.min()) & (X <= X_train.max())).all(dim=1)
    with models.eval_mode(model):
        classes = (model(X)[:, 0] > threshold).long()
    return torch.where(inside, classes, -1)
""",
    "in training mode, recording gradients": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    classes = (model(X)[:, 0] > threshold).long()
    return torch.where(inside, classes, -1)
""",
    "the model left in evaluation mode": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    model.eval()
    with torch.inference_mode():
        classes = (model(X)[:, 0] > threshold).long()
    return torch.where(inside, classes, -1)
""",
    "the check's answers looked up": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    return answers_by_hand[len(X), threshold]
""",
    "floats for classes": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    with models.eval_mode(model):
        classes = (model(X)[:, 0] > threshold).float()
    return torch.where(inside, classes, -1.0)
""",
    "the ends of the range refused": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X > low) & (X < high)).all(dim=1)
    with models.eval_mode(model):
        classes = (model(X)[:, 0] > threshold).long()
    return torch.where(inside, classes, -1)
""",
    # these three passed before the check had a case for each
    "a probability equal to the threshold called class 1": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    with models.eval_mode(model):
        classes = (model(X)[:, 0] >= threshold).long()
    return torch.where(inside, classes, -1)
""",
    "the threshold ignored": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    with models.eval_mode(model):
        classes = model(X)[:, 0].round().long()
    return torch.where(inside, classes, -1)
""",
    "the model always given back in training mode": """
def predict_or_refuse(model, X, X_train, threshold=0.5):
    low, high = X_train.min(dim=0).values, X_train.max(dim=0).values
    inside = ((X >= low) & (X <= high)).all(dim=1)
    model.eval()
    with torch.no_grad():
        classes = (model(X)[:, 0] > threshold).long()
    model.train()
    return torch.where(inside, classes, -1)
""",
}


@pytest.mark.parametrize("way", REFUSE_RIGHT)
def test_11_predict_or_refuse_passes_a_right_answer(notebook_11, fresh_checker, way):
    printed = notebook_11.check("predict_or_refuse", REFUSE_RIGHT[way])
    assert verdict(printed).startswith("✅"), printed


REFUSE_HINTS = {
    "one range for all features": "Each feature has its own range",
    "the ends of the range refused": "The ends of the range count as inside",
    "a probability equal to the threshold called class 1": "The first point's probability is",
    "the threshold ignored": "The threshold here is 0.9",
}


@pytest.mark.parametrize("mistake", REFUSE_WRONG)
def test_11_predict_or_refuse_rejects(notebook_11, fresh_checker, mistake):
    printed = notebook_11.check("predict_or_refuse", REFUSE_WRONG[mistake])
    assert verdict(printed).startswith("❌"), printed
    if mistake in REFUSE_HINTS:
        assert f"Hint for this input: {REFUSE_HINTS[mistake]}" in printed, printed
