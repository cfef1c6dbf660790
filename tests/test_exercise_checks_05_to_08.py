"""The exercise checks of notebooks 05-08 reject issue 22's plausible wrong answers.

Each test runs a notebook's own check cell (after the cells it needs) on a wrong answer
that an earlier version of the check accepted, and on the notebook's solution, which
must still pass.
"""

import contextlib
import io

import nbformat
import numpy as np
import pytest
import torch

from tests.exercise_cells import NOTEBOOKS, cell_sources, run_check, solution_of

pytestmark = pytest.mark.usefixtures("fresh_checker")


# 05 · Exercise 1: binary cross-entropy from the logit
LOSS = "05_loss_and_cost"
LOSS_SETUP = ["6183d062"]


def bce_where_between_two_formulas(z, y):
    """Right values everywhere, but exp overflows in the branch torch.where drops."""
    return torch.where(
        z >= 0,
        (1 - y) * z + torch.log1p(torch.exp(-z)),
        -y * z + torch.log1p(torch.exp(z)),
    )


def test_05_a_torch_where_between_two_formulas_is_rejected_for_its_nan_slope():
    printed = run_check(
        LOSS, LOSS_SETUP, "6fcf3b1b", my_bce_with_logits=bce_where_between_two_formulas
    )
    assert printed.startswith("❌"), printed
    assert ": slopes: your answer contains NaN" in printed, printed


def bce_detached(z, y):
    """Right values, but cut from the graph: no slope can flow back to z."""
    return ((1 - y) * z + torch.log1p(torch.exp(-z.abs())) + torch.clamp(-z, min=0)).detach()


def test_05_losses_cut_from_the_graph_are_told_so():
    printed = run_check(LOSS, LOSS_SETUP, "6fcf3b1b", my_bce_with_logits=bce_detached)
    assert printed.startswith("❌"), printed
    assert "the losses are cut from the graph (requires_grad is False)" in printed, printed
    assert "raised" not in printed, printed  # the check found it: not told as a crash


def test_05_the_solution_of_exercise_1_passes_its_check():
    solution = solution_of(LOSS, "299f296a", "my_bce_with_logits_solution", LOSS_SETUP)
    printed = run_check(LOSS, LOSS_SETUP, "6fcf3b1b", my_bce_with_logits=solution)
    assert printed.startswith("✅"), printed


# 05 · Exercise 2: cross-entropy for many classes
def cross_entropy_shifted_by_the_batch_maximum(logits, labels):
    """Stable only when every row shares the batch's largest logit."""
    largest = logits.max()
    log_sum_exp = largest + torch.exp(logits - largest).sum(dim=1).log()
    return (log_sum_exp - logits[torch.arange(len(labels)), labels]).mean()


def test_05_subtracting_the_batch_maximum_instead_of_each_rows_is_rejected():
    printed = run_check(
        LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=cross_entropy_shifted_by_the_batch_maximum
    )
    assert printed.startswith("❌"), printed
    assert "-inf" in printed or "inf" in printed


def cross_entropy_summed(logits, labels):
    """Stable, but the sum over the examples where the loss is their mean."""
    largest = logits.max(dim=1, keepdim=True).values
    log_sum_exp = largest[:, 0] + torch.exp(logits - largest).sum(dim=1).log()
    return (log_sum_exp - logits[torch.arange(len(labels)), labels]).sum()


def test_05_a_sum_instead_of_the_mean_hears_about_the_mean_not_about_overflow():
    printed = run_check(LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=cross_entropy_summed)
    assert printed.startswith("❌"), printed
    assert "Hint for this input: These logits are ordinary" in printed, printed


def cross_entropy_row_by_row(logits, labels):
    """Right values, but each row's z_y is picked in a Python loop."""
    largest = logits.max(dim=1, keepdim=True).values
    log_sum_exp = largest[:, 0] + torch.exp(logits - largest).sum(dim=1).log()
    correct = torch.stack([logits[i, labels[i]] for i in range(len(labels))])
    return (log_sum_exp - correct).mean()


def cross_entropy_over_zipped_rows(logits, labels):
    """Right values, but a loop over the rows, one (row, label) pair at a time."""
    losses = [
        row.max() + torch.exp(row - row.max()).sum().log() - row[label]
        for row, label in zip(logits, labels, strict=True)
    ]
    return torch.stack(losses).mean()


def cross_entropy_over_row_slices(logits, labels):
    """Right values, but each row's z_y is picked through a one-row slice, in a loop."""
    largest = logits.max(dim=1, keepdim=True).values
    log_sum_exp = largest[:, 0] + torch.exp(logits - largest).sum(dim=1).log()
    correct = torch.cat(
        [logits[i : i + 1].gather(1, labels[i : i + 1, None]) for i in range(len(labels))]
    )
    return (log_sum_exp - correct[:, 0]).mean()


def cross_entropy_over_numpy_rows(logits, labels):
    """Right values, but a loop over NumPy's row numbers."""
    largest = logits.max(dim=1, keepdim=True).values
    log_sum_exp = largest[:, 0] + torch.exp(logits - largest).sum(dim=1).log()
    correct = torch.stack([logits[i][int(labels[i])] for i in np.arange(len(labels))])
    return (log_sum_exp - correct).mean()


def cross_entropy_over_the_classes(logits, labels):
    """Right values, but a loop over the classes: a Python loop all the same."""
    largest = logits.max(dim=1, keepdim=True).values
    log_sum_exp = largest[:, 0] + torch.exp(logits - largest).sum(dim=1).log()
    correct = sum(logits[:, c] * (labels == c) for c in range(logits.shape[1]))
    return (log_sum_exp - correct).mean()


@pytest.mark.parametrize(
    "answer",
    [
        cross_entropy_row_by_row,
        cross_entropy_over_zipped_rows,
        cross_entropy_over_row_slices,
        cross_entropy_over_numpy_rows,
        cross_entropy_over_the_classes,
    ],
)
def test_05_exercise_2_refuses_a_python_loop_over_the_rows_or_the_classes(answer):
    printed = run_check(LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=answer)
    assert printed.startswith("❌"), printed
    assert "the logits were read one row or one column at a time" in printed, printed
    assert "raised" not in printed, printed  # the check found it: not told as a crash
    assert "Hint for this input: Take every row's z_y at once" in printed, printed


def test_05_exercise_2_does_not_count_printing_the_logits_as_reading_rows():
    solution = solution_of(LOSS, "993c4bbd", "my_cross_entropy_solution", LOSS_SETUP)

    def solution_that_prints(logits, labels):
        # a look at them, and at one row's shape: no loop
        print(logits, f"{logits}", logits[0].shape, file=io.StringIO())
        return solution(logits, labels)

    printed = run_check(LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=solution_that_prints)
    assert printed.startswith("✅"), printed


def test_05_the_solution_of_exercise_2_passes_its_check():
    solution = solution_of(LOSS, "993c4bbd", "my_cross_entropy_solution", LOSS_SETUP)
    printed = run_check(LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=solution)
    assert printed.startswith("✅"), printed


# 06 · Exercise 1: a finite-difference gradient
BACKPROP = "06_backpropagation"
BACKPROP_SETUP = ["1cdda8de"]


def forward_difference(f, theta, epsilon=1e-6):
    """(f(θ + ε) − f(θ)) / ε: the slope half a step aside, not central differences."""
    gradient = torch.zeros_like(theta)
    for i in range(theta.numel()):
        step = torch.zeros_like(theta).view(-1)
        step[i] = epsilon
        gradient.view(-1)[i] = (f(theta + step.view_as(theta)) - f(theta)) / epsilon
    return gradient


def test_06_a_forward_difference_is_rejected():
    printed = run_check(BACKPROP, BACKPROP_SETUP, "e2233105", numerical_gradient=forward_difference)
    assert printed.startswith("❌"), printed


def in_float32(f, theta, epsilon=1e-6):
    """Central differences, collected in float32 zeros: the slopes keep 7 digits."""
    gradient = torch.zeros(theta.shape)
    for i in range(theta.numel()):
        step = torch.zeros_like(theta).view(-1)
        step[i] = epsilon
        step = step.view_as(theta)
        gradient.view(-1)[i] = (f(theta + step) - f(theta - step)) / (2 * epsilon)
    return gradient


def test_06_a_gradient_in_float32_is_told_to_keep_thetas_dtype():
    printed = run_check(BACKPROP, BACKPROP_SETUP, "e2233105", numerical_gradient=in_float32)
    assert printed.startswith("❌"), printed
    assert "but torch.float64 is asked for" in printed, printed


def test_06_the_solution_of_exercise_1_passes_its_check():
    solution = solution_of(BACKPROP, "5bea712f", "numerical_gradient_solution", BACKPROP_SETUP)
    printed = run_check(BACKPROP, BACKPROP_SETUP, "e2233105", numerical_gradient=solution)
    assert printed.startswith("✅"), printed


# 07 · Exercise 1: gradient descent with autograd
OPTIMIZERS = "07_gradient_descent_and_optimizers"
OPTIMIZERS_SETUP = ["3b12ffd5"]


def gradient_descent_in_float32(surface, start, lr, steps):
    """The right loop in the default float32: close to the float64 path, not float64."""
    w = torch.tensor(start, requires_grad=True)
    points = [w.detach().clone()]
    for _ in range(steps):
        surface(w[0], w[1]).backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad = None
        points.append(w.detach().clone())
    return torch.stack(points)


def test_07_a_float32_path_is_rejected_where_float64_is_asked_for():
    printed = run_check(
        OPTIMIZERS, OPTIMIZERS_SETUP, "e9ddbb70", gradient_descent=gradient_descent_in_float32
    )
    assert printed.startswith("❌"), printed
    assert "float32" in printed


def gradient_descent_in_float32_returned_as_float64(surface, start, lr, steps):
    """The float32 loop, converted at the end.

    The check asks for the dtype, not the path to it.
    """
    return gradient_descent_in_float32(surface, start, lr, steps).double()


def test_07_a_float32_path_converted_to_float64_at_the_end_is_rejected():
    printed = run_check(
        OPTIMIZERS,
        OPTIMIZERS_SETUP,
        "e9ddbb70",
        gradient_descent=gradient_descent_in_float32_returned_as_float64,
    )
    assert printed.startswith("❌"), printed
    assert "1e-46" in printed  # the start that float32 cannot hold


def test_07_the_solution_of_exercise_1_passes_its_check():
    solution = solution_of(OPTIMIZERS, "cc2b6cb8", "gradient_descent_solution", OPTIMIZERS_SETUP)
    printed = run_check(OPTIMIZERS, OPTIMIZERS_SETUP, "e9ddbb70", gradient_descent=solution)
    assert printed.startswith("✅"), printed


# 08 · Exercise 1: one training step
TRAINING = "08_training"
TRAINING_SETUP = ["7cb4130b", "1783ea2f"]


def step_that_switches_back_to_eval(model, X, y, loss_fn, optimizer):
    """A right step that leaves the model as it was: train() first, eval() last."""
    model.train()
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model.eval()
    return loss


def step_in_evaluation_mode(model, X, y, loss_fn, optimizer):
    """The five steps, but the model stays in the evaluation mode it was given in."""
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def test_08_a_step_that_trains_in_training_mode_then_calls_eval_passes():
    printed = run_check(
        TRAINING, TRAINING_SETUP, "039bcdce", training_step=step_that_switches_back_to_eval
    )
    assert printed.startswith("✅"), printed


def test_08_a_step_that_never_calls_train_is_told_so():
    printed = run_check(TRAINING, TRAINING_SETUP, "039bcdce", training_step=step_in_evaluation_mode)
    assert printed.startswith("❌"), printed
    assert "model.train()" in printed


def test_08_the_solution_of_exercise_1_passes_its_check():
    solution = solution_of(TRAINING, "57995f6b", "training_step_solution", TRAINING_SETUP)
    printed = run_check(TRAINING, TRAINING_SETUP, "039bcdce", training_step=solution)
    assert printed.startswith("✅"), printed


# What a task forbids is refused, even when the
# values are right: the references are no answers
def bce_with_softplus(z, y):
    return torch.nn.functional.softplus(z) - z * y


def bce_from_torch(z, y):
    return torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none")


@pytest.mark.parametrize("answer", [bce_with_softplus, bce_from_torch])
def test_05_exercise_1_refuses_torch_nn_and_softplus(answer):
    printed = run_check(LOSS, LOSS_SETUP, "6fcf3b1b", my_bce_with_logits=answer)
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed


def cross_entropy_with_logsumexp(logits, labels):
    return (logits.logsumexp(dim=1) - logits[torch.arange(len(labels)), labels]).mean()


def bce_with_relu_from_functional(z, y):
    """Right: max(-z, 0) through torch.nn.functional.relu, an elementary operation."""
    return torch.nn.functional.relu(-z) + (1 - y) * z + torch.log1p(torch.exp(-z.abs()))


def test_05_exercise_1_takes_relu_from_torch_nn_functional():
    printed = run_check(
        LOSS, LOSS_SETUP, "6fcf3b1b", my_bce_with_logits=bce_with_relu_from_functional
    )
    assert printed.startswith("✅"), printed


@pytest.mark.parametrize(
    "ready_made",
    [
        lambda z, y: torch.nn.BCEWithLogitsLoss(reduction="none")(z, y),
        lambda z, y: torch.binary_cross_entropy_with_logits(z, y, None, None, 0),
        lambda z, y: torch.nn.functional.binary_cross_entropy(
            torch.sigmoid(z), y, reduction="none"
        ),
    ],
    ids=[
        "nn.BCEWithLogitsLoss",
        "torch.binary_cross_entropy_with_logits",
        "F.binary_cross_entropy",
    ],
)
def test_05_exercise_1_refuses_the_ready_made_losses(ready_made):
    printed = run_check(LOSS, LOSS_SETUP, "6fcf3b1b", my_bce_with_logits=ready_made)
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed, printed


def cross_entropy_with_one_hot(logits, labels):
    """Right: each row's z_y picked with torch.nn.functional.one_hot, no loop."""
    largest = logits.max(dim=1, keepdim=True).values
    log_sum_exp = largest.squeeze(1) + torch.exp(logits - largest).sum(dim=1).log()
    one_hot = torch.nn.functional.one_hot(labels, logits.shape[1]).to(logits.dtype)
    return (log_sum_exp - (logits * one_hot).sum(dim=1)).mean()


def test_05_exercise_2_takes_one_hot_from_torch_nn_functional():
    printed = run_check(LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=cross_entropy_with_one_hot)
    assert printed.startswith("✅"), printed


@pytest.mark.parametrize(
    "ready_made",
    [
        lambda logits, labels: torch.nn.functional.cross_entropy(logits, labels),
        lambda logits, labels: torch.nn.CrossEntropyLoss()(logits, labels),
        lambda logits, labels: torch.nn.functional.nll_loss(logits.log_softmax(dim=1), labels),
    ],
    ids=["F.cross_entropy", "nn.CrossEntropyLoss", "nll_loss of log_softmax"],
)
def test_05_exercise_2_refuses_the_ready_made_losses(ready_made):
    printed = run_check(LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=ready_made)
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed, printed


def test_05_exercise_2_refuses_logsumexp():
    printed = run_check(LOSS, LOSS_SETUP, "b5588778", my_cross_entropy=cross_entropy_with_logsumexp)
    assert printed.startswith("❌"), printed
    assert "torch.logsumexp" in printed


def test_06_exercise_1_refuses_autograd():
    def gradient_from_autograd(f, theta):
        theta = theta.clone().requires_grad_(True)
        f(theta).backward()
        return theta.grad

    printed = run_check(
        BACKPROP, BACKPROP_SETUP, "e2233105", numerical_gradient=gradient_from_autograd
    )
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed


def gradient_by_jvp(f, theta):
    """Forward-mode autograd, one direction per entry: no finite difference."""
    slopes = [
        torch.func.jvp(f, (theta,), (direction.reshape(theta.shape),))[1]
        for direction in torch.eye(theta.numel(), dtype=theta.dtype)
    ]
    return torch.stack(slopes).reshape(theta.shape)


def gradient_by_dual_numbers(f, theta):
    import torch.autograd.forward_ad as forward_ad

    slopes = []
    for direction in torch.eye(theta.numel(), dtype=theta.dtype):
        with forward_ad.dual_level():
            dual = forward_ad.make_dual(theta, direction.reshape(theta.shape))
            slopes.append(forward_ad.unpack_dual(f(dual)).tangent)
    return torch.stack(slopes).reshape(theta.shape)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("answer", [gradient_by_jvp, gradient_by_dual_numbers])
def test_06_exercise_1_refuses_forward_mode_autograd(answer):
    printed = run_check(BACKPROP, BACKPROP_SETUP, "e2233105", numerical_gradient=answer)
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed, printed


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_06_exercise_2_refuses_forward_mode_autograd():
    def gradients_by_jacfwd(X, y, W1, b1, W2, b2):
        def loss(W1, b1, W2, b2):
            return ((torch.tanh(X @ W1.T + b1) @ W2.T + b2 - y) ** 2).mean()

        return torch.func.jacfwd(loss, argnums=(0, 1, 2, 3))(W1, b1, W2, b2)

    printed = run_check(
        BACKPROP, BACKPROP_SETUP, "7058e300", two_layer_gradients=gradients_by_jacfwd
    )
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed, printed


def test_06_exercise_2_refuses_autograd():
    def gradients_from_autograd(X, y, W1, b1, W2, b2):
        parameters = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
        W1, b1, W2, b2 = parameters
        y_pred = torch.tanh(X @ W1.T + b1) @ W2.T + b2
        ((y_pred - y) ** 2).mean().backward()
        return tuple(p.grad for p in parameters)

    printed = run_check(
        BACKPROP, BACKPROP_SETUP, "7058e300", two_layer_gradients=gradients_from_autograd
    )
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed


def test_06_exercise_2_names_the_gradient_that_differs():
    def bias_gradient_averaged(X, y, W1, b1, W2, b2):  # db2 a mean over the examples, not a sum
        A1 = torch.tanh(X @ W1.T + b1)
        d_output = 2 * (A1 @ W2.T + b2 - y) / len(X)
        d_hidden = (d_output @ W2) * (1 - A1**2)
        return d_hidden.T @ X, d_hidden.sum(dim=0), d_output.T @ A1, d_output.mean(dim=0)

    printed = run_check(
        BACKPROP, BACKPROP_SETUP, "7058e300", two_layer_gradients=bias_gradient_averaged
    )
    assert printed.startswith("❌"), printed
    assert ": db2: 1 of 1 value(s) differ" in printed, printed
    assert "item 3" not in printed, printed


def test_07_exercise_1_refuses_run_trajectory_and_optimizers():
    from course_utils import surfaces

    def with_run_trajectory(surface, start, lr, steps):
        return surfaces.run_trajectory(surface, "SGD", lr=lr, steps=steps, start=start)

    def with_torch_sgd(surface, start, lr, steps):
        w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        sgd = torch.optim.SGD([w], lr=lr)
        points = [w.detach().clone()]
        for _ in range(steps):
            sgd.zero_grad()
            surface(w[0], w[1]).backward()
            sgd.step()
            points.append(w.detach().clone())
        return torch.stack(points)

    for answer in (with_run_trajectory, with_torch_sgd):
        printed = run_check(OPTIMIZERS, OPTIMIZERS_SETUP, "e9ddbb70", gradient_descent=answer)
        assert printed.startswith("❌"), printed
        assert "asks you to do without" in printed


def test_07_exercise_2_refuses_torch_optim():
    def adam_step_with_torch(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        weights = param.clone().requires_grad_(True)
        adam = torch.optim.Adam([weights], lr=lr, betas=(beta1, beta2), eps=eps)
        adam.state[weights] = {
            "step": torch.tensor(float(t - 1)),
            "exp_avg": m.clone(),
            "exp_avg_sq": v.clone(),
        }
        weights.grad = grad.clone()
        adam.step()
        state = adam.state[weights]
        return weights.detach(), state["exp_avg"], state["exp_avg_sq"]

    printed = run_check(OPTIMIZERS, OPTIMIZERS_SETUP, "570fcba1", adam_step=adam_step_with_torch)
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed


def adam_step_in_place(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Right values, but m and v updated in place: the task forbids it."""
    m.mul_(beta1).add_((1 - beta1) * grad)
    v.mul_(beta2).add_((1 - beta2) * grad**2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


def adam_step_without_bias_correction(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * m / (v.sqrt() + eps), m, v


def test_07_exercise_2_tells_an_in_place_update_of_m_and_v_and_keeps_the_first_step_hint():
    printed = run_check(OPTIMIZERS, OPTIMIZERS_SETUP, "570fcba1", adam_step=adam_step_in_place)
    assert printed.startswith("❌"), printed
    assert "adam_step changed m and v in place at step 1" in printed, printed
    assert "raised" not in printed, printed  # the check found it: not told as a crash
    printed = run_check(
        OPTIMIZERS, OPTIMIZERS_SETUP, "570fcba1", adam_step=adam_step_without_bias_correction
    )
    assert printed.startswith("❌"), printed
    assert "Hint for this input: If the values differ: on the first step" in printed, printed


def test_08_exercise_2_refuses_the_course_loop_its_check_compares_with():
    sources = cell_sources(TRAINING)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell_id in TRAINING_SETUP:
            exec(sources[cell_id], namespace)
        exec(sources["faa8463b"], namespace)
    printed = run_check(
        TRAINING,
        [*TRAINING_SETUP, "faa8463b"],
        "4e1e13fa",
        train_and_record=namespace["correct_loop"],
    )
    assert printed.startswith("❌"), printed
    assert "asks you to do without" in printed


# Every check and quiz cell is collapsed, and every solution's check says it is
# the solution's
@pytest.mark.parametrize("stem", [LOSS, BACKPROP, OPTIMIZERS, TRAINING])
def test_check_and_quiz_cells_are_collapsed_and_solutions_say_so(stem):
    cells = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4).cells
    code = [cell for cell in cells if cell.cell_type == "code"]
    solutions = [cell for cell in code if "solution" in cell.metadata.get("tags", [])]
    checks_and_quizzes = [
        cell
        for cell in code
        if cell not in solutions
        and ("checks.check_" in cell.source or "widgets.quiz(" in cell.source)
    ]
    assert checks_and_quizzes and solutions
    for cell in checks_and_quizzes:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]
    for cell in solutions:
        assert "solution=True" in cell.source, cell.source[:60]
        printed = "".join(output.get("text", "") for output in cell.outputs)
        assert "✅ the solution of" in printed, cell.source[:60]
