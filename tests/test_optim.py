"""course_utils.optim against torch.optim: same model, data and options, same result."""

import copy
import inspect

import pytest
import torch
from torch import nn

from course_utils import optim

STEPS = 120
CLASS_NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]

# Every option on and off, one configuration per line: (class name, keyword arguments).
CONFIGURATIONS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {}),  # all defaults
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.01, "nesterov": True}),
    ("SGD", {"lr": 0.001, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"alpha": 0.9}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.9, "lr": 0.001}),
    ("RMSprop", {"momentum": 0.9, "centered": True, "lr": 0.001}),
    ("RMSprop", {"weight_decay": 0.01, "eps": 1e-4}),
    ("RMSprop", {"lr": 0.001, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.001, "maximize": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.0}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
]


def make_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 1))


def make_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    X = torch.randn(64, 3, generator=generator)
    y = (X[:, :1] * 2 - X[:, 1:2] ** 2 + 0.1 * torch.randn(64, 1, generator=generator)).tanh()
    return X, y


X, Y = make_data()


def train(model: nn.Module, optimizer: torch.optim.Optimizer, steps: int, start: int = 0) -> None:
    """Mini-batches of 16 in a fixed cycle, so the gradient changes at every step."""
    for step in range(start, start + steps):
        batch = slice(16 * (step % 4), 16 * (step % 4) + 16)
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X[batch]), Y[batch])
        loss.backward()
        optimizer.step()


def torch_class(name: str) -> type[torch.optim.Optimizer]:
    return getattr(torch.optim, name)


def assert_same_parameters(model_a: nn.Module, model_b: nn.Module, atol: float = 1e-6) -> None:
    for (name, a), b in zip(model_a.named_parameters(), model_b.parameters(), strict=True):
        difference = (a - b).abs().max().item()
        assert difference <= atol, f"{name} differs by {difference:.3g}"


@pytest.mark.parametrize(
    ("name", "options"), CONFIGURATIONS, ids=[f"{n}-{o}" for n, o in CONFIGURATIONS]
)
def test_matches_torch_optim_over_many_steps(name, options):
    ours_model, torch_model = make_model(), make_model()
    initial = [p.detach().clone() for p in torch_model.parameters()]
    train(ours_model, getattr(optim, name)(ours_model.parameters(), **options), STEPS)
    reference = torch_class(name)(torch_model.parameters(), **options, foreach=False)
    train(torch_model, reference, STEPS)
    moved = max(
        (p - q).abs().max().item() for p, q in zip(torch_model.parameters(), initial, strict=True)
    )
    assert moved > 1e-3, "the reference barely moved: the test would not catch a no-op step"
    assert_same_parameters(ours_model, torch_model)


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_two_parameter_groups_with_different_learning_rates(name):
    def groups(model):
        first, second = list(model[0].parameters()), [p for m in model[2:] for p in m.parameters()]
        return [{"params": first, "lr": 0.02}, {"params": second, "lr": 0.002}]

    ours_model, torch_model = make_model(), make_model()
    ours = getattr(optim, name)(groups(ours_model))
    train(ours_model, ours, STEPS)
    train(torch_model, torch_class(name)(groups(torch_model), foreach=False), STEPS)
    assert [g["lr"] for g in ours.param_groups] == [0.02, 0.002]
    assert_same_parameters(ours_model, torch_model)


# torch.optim's options that choose an implementation (a loop,
# fused kernels, graphs), not an update rule: the classes written
# from scratch have one implementation, so no such option.
IMPLEMENTATION_OPTIONS = {"foreach", "fused", "capturable", "differentiable"}


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_the_constructor_reads_like_torchs(name):
    """``inspect.signature(cls.__init__)``: torch's names, order, defaults and kinds.

    A parameter that torch takes positionally may be keyword-only here only where torch
    puts an implementation option before it (RMSprop's maximize), which cannot be passed
    here.
    """
    ours = inspect.signature(getattr(optim, name).__init__).parameters
    theirs = inspect.signature(torch_class(name).__init__).parameters
    rule_options = [p for p in theirs.values() if p.name not in IMPLEMENTATION_OPTIONS]
    assert list(ours) == [p.name for p in rule_options]
    assert [p.default for p in ours.values()] == [p.default for p in rule_options]
    positional = [p.name for p in ours.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    torch_positional = []
    for parameter in theirs.values():
        if parameter.kind is not parameter.POSITIONAL_OR_KEYWORD:
            break
        if parameter.name in IMPLEMENTATION_OPTIONS:
            break  # after it, torch's positions cannot be ours
        torch_positional.append(parameter.name)
    assert positional == torch_positional
    keyword_only = [p.name for p in ours.values() if p.kind is p.KEYWORD_ONLY]
    assert keyword_only == [p.name for p in rule_options if p.name not in positional]
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in ours.values())
    assert "__signature__" not in vars(getattr(optim, name))  # the constructor itself, as written


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_defaults_are_torchs(name):
    model = make_model()
    assert issubclass(getattr(optim, name), torch.optim.Optimizer)
    defaults = getattr(optim, name)(model.parameters()).defaults
    torch_defaults = torch_class(name)(model.parameters()).defaults
    assert {key: torch_defaults[key] for key in defaults} == defaults


# Positional arguments after params, in torch's order (each class's first four).
POSITIONAL_ARGUMENTS = {
    "SGD": (0.05, 0.9, 0.1, 0.01),
    "Adagrad": (0.05, 0.01, 0.01, 0.1),
    "RMSprop": (0.05, 0.9, 1e-6, 0.01),
    "Adam": (0.05, (0.8, 0.9), 1e-6, 0.01),
    "AdamW": (0.05, (0.8, 0.9), 1e-6, 0.01),
}


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_positional_arguments_bind_as_in_torch(name):
    model = make_model()
    arguments = POSITIONAL_ARGUMENTS[name]
    ours = getattr(optim, name)(model.parameters(), *arguments).defaults
    theirs = torch_class(name)(model.parameters(), *arguments).defaults
    assert {key: theirs[key] for key in ours} == ours


def type_error(cls, *arguments, **keywords) -> str:
    """The TypeError's message when ``cls`` is built with these arguments."""
    with pytest.raises(TypeError) as caught:
        cls(make_model().parameters(), *arguments, **keywords)
    return str(caught.value)


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_an_unknown_or_repeated_argument_is_the_same_type_error_as_torchs(name):
    ours, theirs = getattr(optim, name), torch_class(name)
    # e.g. "SGD.__init__() got an unexpected keyword argument 'betta'"
    assert type_error(ours, betta=0.9) == type_error(theirs, betta=0.9)
    assert "'betta'" in type_error(ours, betta=0.9)
    assert type_error(ours, 0.1, lr=0.1) == type_error(theirs, 0.1, lr=0.1)
    type_error(ours, *range(10))  # like torch: too many positional arguments


def test_adamw_decay_is_always_decoupled_and_cannot_be_turned_off():
    assert optim.AdamW(make_model().parameters()).defaults["decoupled_weight_decay"] is True
    with pytest.raises(TypeError):  # torch.optim.AdamW has no such argument either
        optim.AdamW(make_model().parameters(), decoupled_weight_decay=False)
    with pytest.raises(TypeError):
        torch.optim.AdamW(make_model().parameters(), decoupled_weight_decay=False)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
        ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
        ("RMSprop", {"momentum": 0.9, "centered": True, "lr": 0.001}),
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ],
)
def test_state_dict_saved_mid_training_resumes_identically(name, options, tmp_path):
    # Uninterrupted: 150 steps.
    model = make_model()
    optimizer = getattr(optim, name)(model.parameters(), **options)
    train(model, optimizer, 60)
    path = tmp_path / "checkpoint.pt"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
    train(model, optimizer, 90, start=60)

    # Interrupted at step 60: a new model and
    # optimizer load the checkpoint and continue.
    checkpoint = torch.load(path, weights_only=True)
    resumed_model = make_model()
    resumed_model.load_state_dict(checkpoint["model"])
    resumed = getattr(optim, name)(resumed_model.parameters(), **options)
    resumed.load_state_dict(checkpoint["optimizer"])
    assert resumed.state  # the per-parameter state (buffers, step counts) came back
    train(resumed_model, resumed, 90, start=60)
    for a, b in zip(model.parameters(), resumed_model.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_torch_optim_state_dict_loads_and_continues_like_torch(name):
    options = {"lr": 0.01, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.01}
    torch_model = make_model()
    reference = torch_class(name)(torch_model.parameters(), **options, foreach=False)
    train(torch_model, reference, 50)
    ours_model = make_model()
    ours_model.load_state_dict(torch_model.state_dict())
    ours = getattr(optim, name)(ours_model.parameters(), **options)
    ours.load_state_dict(copy.deepcopy(reference.state_dict()))  # loading shares tensors
    train(torch_model, reference, 50, start=50)
    train(ours_model, ours, 50, start=50)
    assert_same_parameters(ours_model, torch_model)


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_closure_form_returns_the_loss_and_matches_torch(name):
    def run(optimizer_class, **extra):
        model = make_model()
        optimizer = optimizer_class(model.parameters(), lr=0.01, **extra)
        losses = []

        def closure():
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X), Y)
            loss.backward()
            return loss

        for _ in range(30):
            with torch.no_grad():  # the closure must still get gradients
                losses.append(optimizer.step(closure).item())
        return model, losses

    ours_model, ours_losses = run(getattr(optim, name))
    torch_model, torch_losses = run(torch_class(name), foreach=False)
    assert ours_losses == pytest.approx(torch_losses, abs=1e-6)
    assert ours_losses[-1] < ours_losses[0]
    assert_same_parameters(ours_model, torch_model)


def test_step_without_closure_returns_none_and_skips_parameters_without_gradient():
    model = make_model()
    frozen = model[0].weight.detach().clone()
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    nn.functional.mse_loss(model(X), Y).backward()
    model[0].weight.grad = None
    assert optimizer.step() is None
    assert torch.equal(model[0].weight, frozen)
    assert model[0].weight not in optimizer.state


BAD_ARGUMENTS = [
    ("SGD", {"lr": -0.1}, "Invalid learning rate: -0.1.*must be 0 or more"),
    ("SGD", {"momentum": -0.5}, "Invalid momentum value: -0.5.*momentum"),
    ("SGD", {"weight_decay": -1e-4}, "Invalid weight_decay value.*weight_decay"),
    ("SGD", {"nesterov": True}, "Nesterov momentum requires.*momentum=0"),
    (
        "SGD",
        {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
        "Nesterov.*dampening=0.1.*dampening=0",
    ),
    ("Adagrad", {"lr": -1.0}, "Invalid learning rate"),
    ("Adagrad", {"lr_decay": -0.1}, "Invalid lr_decay value.*lr_decay"),
    ("Adagrad", {"weight_decay": -0.1}, "Invalid weight_decay value"),
    ("Adagrad", {"initial_accumulator_value": -1}, "Invalid initial_accumulator_value"),
    ("Adagrad", {"eps": -1e-10}, "Invalid epsilon value.*eps"),
    ("RMSprop", {"lr": -0.01}, "Invalid learning rate"),
    ("RMSprop", {"eps": -1.0}, "Invalid epsilon value"),
    ("RMSprop", {"momentum": -0.9}, "Invalid momentum value"),
    ("RMSprop", {"weight_decay": -0.1}, "Invalid weight_decay value"),
    ("RMSprop", {"alpha": -0.99}, "Invalid alpha value.*alpha"),
    ("Adam", {"lr": -0.001}, "Invalid learning rate"),
    ("Adam", {"eps": -1e-8}, "Invalid epsilon value"),
    ("Adam", {"betas": (1.0, 0.999)}, r"beta parameter at index 0: 1.0.*\[0, 1\)"),
    ("Adam", {"betas": (-0.1, 0.999)}, "beta parameter at index 0"),
    ("Adam", {"betas": (0.9, 1.5)}, r"beta parameter at index 1: 1.5.*\[0, 1\)"),
    ("Adam", {"weight_decay": -0.1}, "Invalid weight_decay value"),
    ("AdamW", {"lr": -0.001}, "Invalid learning rate"),
    ("AdamW", {"betas": (0.9, 1.0)}, "beta parameter at index 1"),
    ("AdamW", {"weight_decay": -0.01}, "Invalid weight_decay value"),
]


@pytest.mark.parametrize(("name", "options", "message"), BAD_ARGUMENTS)
def test_bad_arguments_raise_like_torch_with_a_helpful_message(name, options, message):
    with pytest.raises(ValueError):
        torch_class(name)(make_model().parameters(), **options)
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)(make_model().parameters(), **options)


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_a_nan_learning_rate_is_refused(name):
    # torch.optim.SGD lets lr=nan through (it checks
    # lr < 0); a NaN step size is always a bug.
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        getattr(optim, name)(make_model().parameters(), lr=float("nan"))


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {"lr": 0.0, "momentum": 0.0, "dampening": 0.5, "weight_decay": 0.0}),
        ("SGD", {"momentum": 0.9, "nesterov": True}),
        ("Adagrad", {"lr": 0.0, "lr_decay": 0.0, "eps": 0.0, "initial_accumulator_value": 0.0}),
        ("RMSprop", {"alpha": 0.0, "eps": 0.0, "momentum": 0.0}),
        ("Adam", {"betas": (0.0, 0.0), "eps": 0.0}),
        ("AdamW", {"weight_decay": 0.0}),
    ],
)
def test_boundary_arguments_are_accepted_like_torch(name, options):
    torch_class(name)(make_model().parameters(), **options)
    getattr(optim, name)(make_model().parameters(), **options)
