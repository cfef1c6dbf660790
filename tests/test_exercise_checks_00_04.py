"""The exercise checks of notebooks 00-04 reject the wrong answers issue 22 names.

Each is a plausible wrong answer, one a student could give.

Each notebook runs once here, in this process, as a student edition would (its solution
cells left out); then the notebook's own check cell runs again with a wrong answer in
place of the student's, and must print ❌. The right answer (the solution) must still
pass, so a check that rejects everything cannot pass either.
"""

import contextlib
import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, Subset, TensorDataset

from course_utils import checks, data, models

pytestmark = pytest.mark.usefixtures("fresh_checker")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def is_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


class Notebook:
    """A notebook run without its solution cells, whose check cells can run again."""

    def __init__(self, stem: str):
        self.cells = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4).cells
        self.namespace: dict = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in self.cells:
                if cell.cell_type == "code" and not is_solution(cell):
                    exec(compile(cell.source, stem, "exec"), self.namespace)
        plt.close("all")

    def solution(self, exercise: str) -> dict:
        """The names the solution cell of ``exercise`` defines.

        The cell runs in a copy of the namespace.
        """
        (cell,) = [c for c in self.cells if is_solution(c) and f'"{exercise}"' in c.source]
        namespace = dict(self.namespace)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(cell.source, "solution", "exec"), namespace)
        return namespace

    def check(self, exercise: str, **answers) -> str:
        """What the check cell of ``exercise`` prints for ``answers``.

        ``answers`` are the student's names.
        """
        (cell,) = [
            c
            for c in self.cells
            if c.cell_type == "code"
            and "checks.check_" in c.source
            and f'"{exercise}"' in c.source
            and not is_solution(c)
        ]
        checks._exercises.clear()
        namespace = {**self.namespace, **answers}
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(cell.source, "check", "exec"), namespace)
        return output.getvalue()


@pytest.fixture(scope="module")
def notebook(request):
    return Notebook(request.param)


def assert_wrong(output: str, *words: str) -> None:
    assert output.startswith("❌"), output
    for word in words:
        assert word in output, output


def assert_right(output: str) -> None:
    assert output.startswith("✅"), output


# --- 00 -------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", ["00_start_here"], indirect=True)
def test_00_a_nested_list_is_not_a_tensor(notebook):
    nested = [[1.0], [2.0], [3.0], [4.0], [5.0]]
    assert_wrong(notebook.check("a column of numbers", column=nested))
    assert_right(notebook.check("a column of numbers", column=torch.tensor(nested)))
    assert_right(notebook.check("a column of numbers", column=torch.arange(1, 6).reshape(5, 1)))


@pytest.mark.parametrize("notebook", ["00_start_here"], indirect=True)
def test_00_an_array_is_not_a_tensor_and_a_list_of_the_right_sizes_is_not_a_tuple(notebook):
    array = np.arange(1.0, 6.0).reshape(5, 1)
    assert_wrong(notebook.check("a column of numbers", column=array), "NumPy array")
    for sizes in ([8, 32, 32], np.array([8, 32, 32])):
        output = notebook.check("predict a shape", shape_answer=sizes)
        assert_wrong(output, "the numbers are right, but a tuple is asked for")
    assert_right(notebook.check("predict a shape", shape_answer=(8, 32, 32)))


# --- 02 -------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", ["02_data_preparation"], indirect=True)
def test_02_class_counts_must_be_integers_and_not_bincount(notebook):
    def as_floats(labels, n_classes):
        return torch.stack([(labels == c).sum() for c in range(n_classes)]).float()

    def with_bincount(labels, n_classes):
        return torch.bincount(labels.flatten().long(), minlength=n_classes)

    def with_bincount_method(labels, n_classes):
        return labels.flatten().long().bincount(minlength=n_classes)

    assert_wrong(notebook.check("class_counts", class_counts=as_floats), "whole numbers")
    assert_wrong(notebook.check("class_counts", class_counts=with_bincount), "bincount")
    assert_wrong(notebook.check("class_counts", class_counts=with_bincount_method), "bincount")
    solution = notebook.solution("class_counts")["class_counts_solution"]
    assert_right(notebook.check("class_counts", class_counts=solution))


@pytest.mark.parametrize("notebook", ["02_data_preparation"], indirect=True)
def test_02_the_split_by_hand_may_not_call_the_package(notebook):
    assert_wrong(
        notebook.check("split_three_ways", split_three_ways=data.train_val_test_split),
        "course_utils",
    )
    solution = notebook.solution("split_three_ways")["split_three_ways_solution"]
    assert_right(notebook.check("split_three_ways", split_three_ways=solution))


@pytest.mark.parametrize("notebook", ["02_data_preparation"], indirect=True)
def test_02_a_wrong_part_of_the_split_is_named(notebook):
    def labels_left_in_order(X, y, fractions):  # X shuffled, y not: the pairs come apart
        n_train, n_val = int(fractions[0] * len(X)), int(fractions[1] * len(X))
        rows = torch.randperm(len(X))
        train, val, test = rows[:n_train], rows[n_train : n_train + n_val], rows[n_train + n_val :]
        y_parts = y[:n_train], y[n_train : n_train + n_val], y[n_train + n_val :]
        return X[train], X[val], X[test], *y_parts

    output = notebook.check("split_three_ways", split_three_ways=labels_left_in_order)
    assert_wrong(output, ": y_train: ")
    assert "item 3" not in output, output


@pytest.mark.parametrize("notebook", ["02_data_preparation"], indirect=True)
def test_02_standardize_rejects_a_float_std_compared_with_zero_and_the_package(notebook):
    def std_equals_zero(X_train, X):  # the old solution: a constant 0.1 has std 7.45e-9, not 0
        mean = X_train.mean(dim=0)
        std = X_train.std(dim=0, correction=0)
        return (X - mean) / torch.where(std == 0, torch.ones_like(std), std)

    def with_the_package(X_train, X):
        return data.Standardizer().fit(X_train).transform(X)

    assert torch.full((7, 1), 0.1).std(dim=0, correction=0).item() > 0  # the premise
    output = notebook.check("standardize", standardize=std_equals_zero)
    assert_wrong(output, "Hint for this input", "0.1")
    assert_wrong(notebook.check("standardize", standardize=with_the_package), "course_utils")
    solution = notebook.solution("standardize")["standardize_solution"]
    assert_right(notebook.check("standardize", standardize=solution))


@pytest.mark.parametrize("notebook", ["02_data_preparation"], indirect=True)
def test_02_standardize_rejects_a_small_spread_taken_for_none_and_explains_epsilon(notebook):
    def small_spread_as_none(X_train, X):  # a tiny but real spread is taken for constant
        mean, std = X_train.mean(dim=0), X_train.std(dim=0, correction=0)
        return (X - mean) / torch.where(std < 1e-6, torch.ones_like(std), std)

    def plus_epsilon(X_train, X):  # a constant feature divided by 1e-8
        mean, std = X_train.mean(dim=0), X_train.std(dim=0, correction=0)
        return (X - mean) / (std + 1e-8)

    output = notebook.check("standardize", standardize=small_spread_as_none)
    assert_wrong(output, "Hint for this input", "its spread is tiny but not 0")
    output = notebook.check("standardize", standardize=plus_epsilon)
    assert_wrong(output, "Hint for this input", "it has no spread")


# --- 03 -------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", ["03_dataset_and_dataloader"], indirect=True)
def test_03_batch_counts_may_not_build_a_dataloader(notebook):
    def with_a_loader(n_samples, batch_size, drop_last):
        batches = list(DataLoader(range(n_samples), batch_size=batch_size, drop_last=drop_last))
        return len(batches), len(batches[-1]) if batches else 0

    def with_a_batch_sampler(n_samples, batch_size, drop_last):
        batches = list(BatchSampler(range(n_samples), batch_size, drop_last))
        return len(batches), len(batches[-1]) if batches else 0

    def always_one_more(n_samples, batch_size, drop_last):  # forgets "nothing left over"
        full_batches, left_over = divmod(n_samples, batch_size)
        if drop_last:
            return full_batches, batch_size if full_batches else 0
        return full_batches + 1, left_over

    assert_wrong(notebook.check("batch_counts", batch_counts=with_a_loader), "DataLoader")
    assert_wrong(notebook.check("batch_counts", batch_counts=with_a_batch_sampler), "torch.utils")
    output = notebook.check("batch_counts", batch_counts=always_one_more)
    assert_wrong(output, "Hint for this input", "nothing is left over")
    solution = notebook.solution("batch_counts")["batch_counts_solution"]
    assert_right(notebook.check("batch_counts", batch_counts=solution))


@pytest.mark.parametrize("notebook", ["03_dataset_and_dataloader"], indirect=True)
def test_03_a_wrong_length_is_told_so_before_any_example_is_read(notebook):
    class AsLongAsX(Dataset):
        def __init__(self, X, y, indices):
            self.X, self.y, self.indices = X, y, indices

        def __len__(self):
            return len(self.X)  # the rows of X, not the row numbers given

        def __getitem__(self, i):
            return self.X[self.indices[i]], self.y[self.indices[i]]

    class OneShort(AsLongAsX):
        def __len__(self):
            return len(self.indices) - 1

    for wrong in (AsLongAsX, OneShort):
        output = notebook.check("SubsetDataset", SubsetDataset=wrong)
        assert_wrong(output, "len() of your dataset is", "a subset has one example per row")
        assert "raised" not in output, output  # the check found it: not told as a crash


class OfTheRowNumbers(Dataset):
    """A SubsetDataset's start, right: what it keeps, one example per row number."""

    def __init__(self, X, y, indices):
        self.X, self.y, self.indices = X, y, indices

    def __len__(self):
        return len(self.indices)


@pytest.mark.parametrize("notebook", ["03_dataset_and_dataloader"], indirect=True)
def test_03_an_example_that_is_not_a_pair_is_told_so(notebook):
    class WithItsRowNumber(OfTheRowNumbers):
        def __getitem__(self, i):
            row = self.indices[i]
            return self.X[row], self.y[row], row  # a third item

    class FeaturesOnly(WithItsRowNumber):
        def __getitem__(self, i):
            return self.X[self.indices[i]]

    for wrong, got in ((WithItsRowNumber, "3 items"), (FeaturesOnly, "one item")):
        output = notebook.check("SubsetDataset", SubsetDataset=wrong)
        assert_wrong(output, f"dataset[0] gave {got}: an example is a pair, (features, label)")
        assert "raised" not in output, output  # the check's own unpacking is not the student's


@pytest.mark.parametrize("notebook", ["03_dataset_and_dataloader"], indirect=True)
def test_03_batch_counts_are_whole_numbers(notebook):
    def in_floats(n_samples, batch_size, drop_last):  # right values, by true division
        full_batches = float(n_samples // batch_size)
        left_over = float(n_samples - full_batches * batch_size)
        if drop_last or left_over == 0:
            return full_batches, float(batch_size) if full_batches else 0.0
        return full_batches + 1, left_over

    output = notebook.check("batch_counts", batch_counts=in_floats)
    assert_wrong(output, "a float, but a whole number is asked for")


@pytest.mark.parametrize("notebook", ["03_dataset_and_dataloader"], indirect=True)
def test_03_a_wrong_batch_count_and_a_wrong_label_shape_are_named(notebook):
    def last_batch_always_full(n_samples, batch_size, drop_last):
        full, left_over = divmod(n_samples, batch_size)
        if drop_last or left_over == 0:
            return full, batch_size if full else 0
        return full + 1, batch_size  # the last batch holds only left_over examples

    output = notebook.check("batch_counts", batch_counts=last_batch_always_full)
    assert_wrong(output, "for input 800, 48, False: size_of_the_last_batch: got 48, expected 32")

    class LabelsSqueezed(OfTheRowNumbers):
        def __getitem__(self, i):
            row = self.indices[i]
            return self.X[row], self.y[row].squeeze()  # a label of shape (), not (1,)

    output = notebook.check("SubsetDataset", SubsetDataset=LabelsSqueezed)
    assert_wrong(output, ": labels: shape (1,) but expected (1, 1)")
    assert "item 2" not in output, output


@pytest.mark.parametrize("notebook", ["03_dataset_and_dataloader"], indirect=True)
def test_03_subset_dataset_may_not_wrap_torchs_subset(notebook):
    def with_torchs_subset(X, y, indices):
        return Subset(TensorDataset(X, y), indices)

    assert_wrong(notebook.check("SubsetDataset", SubsetDataset=with_torchs_subset), "Subset")
    solution = notebook.solution("SubsetDataset")["SubsetDatasetSolution"]
    assert_right(notebook.check("SubsetDataset", SubsetDataset=solution))


# --- 04 -------------------------------------------------------------------------------


class SequentialInside(nn.Module):
    """The right computation, but its layers are not named linear1..linear3."""

    def __init__(self, input_features, hidden_units):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(input_features, hidden_units),
            nn.ReLU(),
            nn.Linear(hidden_units, hidden_units),
            nn.ReLU(),
            nn.Linear(hidden_units, 1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x)


@pytest.mark.parametrize("notebook", ["04_model_definition"], indirect=True)
def test_04_the_layers_must_carry_the_names_of_the_specification(notebook):
    output = notebook.check("ThreeLayerClassifier", ThreeLayerClassifier=SequentialInside)
    assert_wrong(output, "your model's state_dict holds ['net.0.bias'", "named linear1, linear2")
    assert "raised" not in output, output  # the check found it: not told as a crash
    solution = notebook.solution("ThreeLayerClassifier")["ThreeLayerClassifierSolution"]
    assert_right(notebook.check("ThreeLayerClassifier", ThreeLayerClassifier=solution))


class WiderMiddle(nn.Module):
    """The specification's names, but the second layer has one unit too many."""

    def __init__(self, input_features, hidden_units):
        super().__init__()
        self.linear1 = nn.Linear(input_features, hidden_units)
        self.linear2 = nn.Linear(hidden_units, hidden_units + 1)
        self.linear3 = nn.Linear(hidden_units + 1, 1)

    def forward(self, x):
        x = torch.relu(self.linear1(x))
        return torch.sigmoid(self.linear3(torch.relu(self.linear2(x))))


@pytest.mark.parametrize("notebook", ["04_model_definition"], indirect=True)
def test_04_a_layer_of_the_wrong_size_is_named_with_its_shape(notebook):
    output = notebook.check("ThreeLayerClassifier", ThreeLayerClassifier=WiderMiddle)
    assert_wrong(output, "linear2.weight has shape (")
    shapes = re.search(
        r"linear2.weight has shape \((\d+), (\d+)\), expected \((\d+), (\d+)\)", output
    )
    assert shapes, output
    theirs_out, theirs_in, expected_out, expected_in = map(int, shapes.groups())
    assert (theirs_out, theirs_in) == (expected_out + 1, expected_in), output
    assert "raised" not in output, output


@pytest.mark.parametrize("notebook", ["04_model_definition"], indirect=True)
def test_04_count_parameters_may_not_build_a_model(notebook):
    def by_building(input_features, hidden_units, hidden_layers):
        network = models.MLPClassifier(input_features, hidden_units, hidden_layers=hidden_layers)
        return sum(p.numel() for p in network.parameters())

    def by_building_layers(input_features, hidden_units, hidden_layers):
        sizes = [input_features] + [hidden_units] * hidden_layers + [1]
        layers = [nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False)]
        return sum(p.numel() for layer in layers for p in layer.parameters())

    assert_wrong(notebook.check("count_parameters", count_parameters=by_building))
    assert_wrong(notebook.check("count_parameters", count_parameters=by_building_layers))
    solution = notebook.solution("count_parameters")["count_parameters_solution"]
    assert_right(notebook.check("count_parameters", count_parameters=solution))


@pytest.mark.parametrize("notebook", ["04_model_definition"], indirect=True)
def test_04_a_parameter_count_is_a_whole_number(notebook):
    solution = notebook.solution("count_parameters")["count_parameters_solution"]

    def as_a_float(input_features, hidden_units, hidden_layers):
        return float(solution(input_features, hidden_units, hidden_layers))

    output = notebook.check("count_parameters", count_parameters=as_a_float)
    assert_wrong(output, "a float, but a whole number is asked for")


@pytest.mark.parametrize("notebook", ["04_model_definition"], indirect=True)
def test_04_a_count_without_the_output_bias_hears_how_41_is_made(notebook):
    def no_output_bias(input_features, hidden_units, hidden_layers):
        first = input_features * hidden_units + hidden_units
        middle = (hidden_layers - 1) * (hidden_units * hidden_units + hidden_units)
        return first + middle + hidden_units

    output = notebook.check("count_parameters", count_parameters=no_output_bias)
    assert_wrong(output, "got 40, expected 41", "10 × 1 + 1 out of it")


# --- 01 -------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", ["01_neuron_and_activations"], indirect=True)
def test_01_a_finite_difference_is_not_a_derivative_from_autograd(notebook):
    def central_difference(function, z):  # close to f'(z) in float64, except at a kink
        h = 1e-6
        z = z.double()
        return ((function(z + h) - function(z - h)) / (2 * h)).float()

    output = notebook.check("derivative_by_autograd", derivative_by_autograd=central_difference)
    assert_wrong(output, "got 0.5, expected 0", "Hint for this input: ReLU has a kink at 0")


@pytest.mark.parametrize("notebook", ["01_neuron_and_activations"], indirect=True)
def test_01_sigmoid_layer_rejects_nn_linear_and_explains_a_missing_transpose(notebook):
    def with_functional_linear(X, weight, bias):
        return torch.sigmoid(nn.functional.linear(X, weight, bias))

    def with_a_layer(X, weight, bias):
        layer = nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
        return torch.sigmoid(layer(X))

    def without_transpose(X, weight, bias):
        return torch.sigmoid(X @ weight + bias)

    assert_wrong(notebook.check("sigmoid_layer", sigmoid_layer=with_functional_linear), "linear")
    assert_wrong(notebook.check("sigmoid_layer", sigmoid_layer=with_a_layer), "nn.Linear")
    output = notebook.check("sigmoid_layer", sigmoid_layer=without_transpose)
    assert_wrong(output, "Hint for this input", "rows")

    def squeezed(X, weight, bias):  # (N,) for a layer of one neuron
        return torch.sigmoid(X @ weight.T + bias).squeeze(-1)

    output = notebook.check("sigmoid_layer", sigmoid_layer=squeezed)
    assert_wrong(output, "Hint for this input", "A layer of one neuron")
    solution = notebook.solution("sigmoid_layer")["sigmoid_layer_solution"]
    assert_right(notebook.check("sigmoid_layer", sigmoid_layer=solution))


@pytest.mark.parametrize("notebook", ["01_neuron_and_activations"], indirect=True)
def test_01_derivatives_reject_the_hand_derivatives_autograd_and_an_overflow(notebook):
    def with_the_hand_derivatives(function, z):
        return notebook.namespace["hand_derivative"](function, z)

    def with_autograd(z):
        z = z.detach().clone().requires_grad_(True)
        torch.sigmoid(z).sum().backward()
        return z.grad

    def overflowing(z):
        return torch.exp(-z) / (1 + torch.exp(-z)) ** 2  # nan at z = -100

    output = notebook.check(
        "derivative_by_autograd", derivative_by_autograd=with_the_hand_derivatives
    )
    assert_wrong(output, "_grad")
    assert_wrong(notebook.check("sigmoid_derivative", sigmoid_derivative=with_autograd))
    output = notebook.check("sigmoid_derivative", sigmoid_derivative=overflowing)
    assert_wrong(output, "Hint for this input", "e^100")

    def under_no_grad(z):  # right: no_grad is not autograd's differentiation
        with torch.no_grad():
            s = torch.sigmoid(z)
            return s * (1 - s)

    assert_right(notebook.check("sigmoid_derivative", sigmoid_derivative=under_no_grad))
    for exercise in ("derivative_by_autograd", "sigmoid_derivative"):
        solution = notebook.solution(exercise)[f"{exercise}_solution"]
        assert_right(notebook.check(exercise, **{exercise: solution}))


def derivative_by_jvp(z):
    return torch.func.jvp(torch.sigmoid, (z,), (torch.ones_like(z),))[1]


def derivative_by_dual_numbers(z):
    import torch.autograd.forward_ad as forward_ad

    with forward_ad.dual_level():
        dual = forward_ad.make_dual(z, torch.ones_like(z))
        return forward_ad.unpack_dual(torch.sigmoid(dual)).tangent


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("notebook", ["01_neuron_and_activations"], indirect=True)
@pytest.mark.parametrize("answer", [derivative_by_jvp, derivative_by_dual_numbers])
def test_01_sigmoid_derivative_rejects_forward_mode_autograd(notebook, answer):
    output = notebook.check("sigmoid_derivative", sigmoid_derivative=answer)
    assert_wrong(output, "asks you to do without", "work the derivative out by hand")


@pytest.mark.parametrize("notebook", ["01_neuron_and_activations"], indirect=True)
def test_01_derivative_by_autograd_must_leave_the_callers_z_alone(notebook):
    def on_z_itself(function, z):  # the task says: leave z unchanged
        z.requires_grad_(True)
        function(z).sum().backward()
        return z.grad

    z = torch.tensor([0.0, 1.0])  # the premise: a second call on the same z doubles the answer
    first = on_z_itself(torch.tanh, z).clone()
    assert torch.allclose(on_z_itself(torch.tanh, z), 2 * first)
    output = notebook.check("derivative_by_autograd", derivative_by_autograd=on_z_itself)
    assert_wrong(output, "left the caller's z asking for gradients", "leave z as it was")
    assert "raised" not in output, output  # the check found it: not told as a crash


# --- the exercise rules of issue 21, for these notebooks ------------------------------

STEMS = [
    "00_start_here",
    "01_neuron_and_activations",
    "02_data_preparation",
    "03_dataset_and_dataloader",
    "04_model_definition",
]


@pytest.mark.parametrize("stem", STEMS)
def test_check_and_quiz_cells_are_collapsed_and_solutions_say_so(stem):
    cells = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4).cells
    code = [c for c in cells if c.cell_type == "code"]
    checks_and_quizzes = [
        c
        for c in code
        if not is_solution(c) and ("checks.check_" in c.source or "widgets.quiz(" in c.source)
    ]
    assert checks_and_quizzes
    for cell in checks_and_quizzes:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]
    for cell in filter(is_solution, code):
        assert "solution=True" in cell.source, cell.source[:60]
        assert "✅ the solution of" in "".join(o.get("text", "") for o in cell.outputs)
