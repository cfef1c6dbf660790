"""check_training_step names the parameter that differs and what the step did wrong."""

import pytest
import torch
from torch import nn

from course_utils import checks, models

pytestmark = pytest.mark.usefixtures("fresh_checker")


def make_sgd(parameters):
    return torch.optim.SGD(parameters, lr=0.5)


@pytest.fixture
def batch():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(20, 2, generator=generator)
    y = (X[:, :1] > 0).float()
    return X, y


@pytest.fixture
def model():
    torch.manual_seed(0)
    return models.SimpleClassifier(2, 10)


def right_step(model, X, y, loss_fn, optimizer):
    y_pred = model(X)
    loss = loss_fn(y_pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def check(step, model, batch, make_optimizer=make_sgd):
    X, y = batch
    return checks.check_training_step(
        "my_training_step", step, model, X, y, loss_fn=nn.BCELoss(), make_optimizer=make_optimizer
    )


def test_a_right_step_passes_and_the_given_model_is_untouched(model, batch, capsys):
    weights = model.linear1.weight.detach().clone()
    assert check(right_step, model, batch) is True
    assert capsys.readouterr().out == "✅ my_training_step: correct!\n"
    assert torch.equal(model.linear1.weight, weights)


def test_zero_grad_after_step_is_also_right(model, batch):
    def step(model, X, y, loss_fn, optimizer):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss.item()  # a number is fine for the loop to record

    assert check(step, model, batch, lambda p: torch.optim.Adam(p, lr=0.01)) is True


def test_an_unfinished_step_is_not_done(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        raise NotImplementedError

    assert check(step, model, batch) is False
    assert capsys.readouterr().out.startswith("⏳ my_training_step: not done yet")


def test_missing_step_names_the_parameter_and_the_missing_update(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        return loss

    assert check(step, model, batch) is False
    out = capsys.readouterr().out
    assert "after step 1 of 5: linear1.weight:" in out
    assert "The weights did not move: the optimizer never applied the gradients" in out


def test_step_before_backward_is_told_the_update_came_too_early(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        optimizer.step()  # no gradients yet on the first step: nothing moves
        loss.backward()
        return loss

    assert check(step, model, batch) is False
    assert "runs before backward()" in capsys.readouterr().out


def test_zero_grad_between_backward_and_step_is_told_the_gradients_were_cleared(
    model, batch, capsys
):
    def step(model, X, y, loss_fn, optimizer):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        return loss

    assert check(step, model, batch) is False
    assert "cleared between backward() and the update" in capsys.readouterr().out


def test_missing_zero_grad_is_told_the_gradients_add_up(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        return loss

    assert check(step, model, batch) is False
    out = capsys.readouterr().out
    assert "after step 2 of 5: linear1.weight:" in out  # step 1 starts with no gradient at all
    assert "zero_grad is missing or in the wrong place" in out


def test_a_different_optimizer_is_told_to_use_the_one_it_receives(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        own = torch.optim.SGD(model.parameters(), lr=0.1)
        loss = loss_fn(model(X), y)
        own.zero_grad()
        loss.backward()
        own.step()
        return loss

    assert check(step, model, batch) is False
    assert "use the optimizer your function receives" in capsys.readouterr().out


def test_a_step_without_return_is_told_to_return_the_loss(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        right_step(model, X, y, loss_fn, optimizer)

    assert check(step, model, batch) is False
    assert "the weights are right, but your step returns nothing" in capsys.readouterr().out


def test_a_wrong_returned_loss_is_caught(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        right_step(model, X, y, loss_fn, optimizer)
        return loss_fn(model(X), y)  # the loss after the update

    assert check(step, model, batch) is False
    assert "the returned loss is" in capsys.readouterr().out


def test_a_step_that_leaves_the_model_in_eval_mode_is_named(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        model.eval()
        return right_step(model, X, y, loss_fn, optimizer)

    assert check(step, model, batch) is False
    assert "computed its output in evaluation mode" in capsys.readouterr().out


def test_a_step_through_model_forward_is_still_seen_in_eval_mode(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):  # forward() skips the model's own hooks
        loss = loss_fn(model.forward(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    model.eval()  # handed over in evaluation mode: the step must switch it to training
    assert check(step, model, batch) is False
    assert "computed its output in evaluation mode" in capsys.readouterr().out


def test_a_step_that_trains_and_then_switches_to_eval_mode_at_its_end_passes(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        model.train()
        loss = right_step(model, X, y, loss_fn, optimizer)
        model.eval()  # e.g. ready to evaluate: the step itself was right
        return loss

    assert check(step, model, batch) is True
    assert capsys.readouterr().out == "✅ my_training_step: correct!\n"


def test_a_look_in_eval_mode_under_no_grad_is_the_steps_own_choice(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        model.eval()
        with torch.no_grad():  # a look at the loss before training: it trains nothing
            loss_fn(model(X), y)
        model.train()
        loss = right_step(model, X, y, loss_fn, optimizer)
        model.eval()
        with torch.no_grad():  # the accuracy after the update, in evaluation mode
            ((model(X) > 0.5).float() == y).float().mean()
        return loss

    assert check(step, model, batch) is True
    assert capsys.readouterr().out == "✅ my_training_step: correct!\n"


def test_a_step_that_raises_says_where(model, batch, capsys):
    def step(model, X, y, loss_fn, optimizer):
        loss = loss_fn(model(X), y)
        loss.backward()
        loss.backward()  # a second backward through a freed graph
        return loss

    assert check(step, model, batch) is False
    out = capsys.readouterr().out
    assert "at step 1 your code raised RuntimeError" in out
