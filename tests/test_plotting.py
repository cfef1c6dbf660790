import matplotlib.pyplot as plt
import torch

from course_utils import models, plotting


def test_decision_boundary_leaves_the_model_as_it_found_it():
    torch.manual_seed(0)
    model = models.SimpleClassifier(2, 10)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    X = torch.randn(50, 2)
    y = (X[:, :1] > 0).float()
    ax = plotting.plot_decision_boundary(model, X, y, title="t")
    assert model.training  # mode restored
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
    assert ax.get_title() == "t"
    plt.close(ax.figure)


def test_decision_grid_is_the_models_probability_on_the_grid():
    torch.manual_seed(0)
    model = models.SimpleClassifier(2, 4)
    X = torch.tensor([[0.0, 0.0], [1.0, 2.0]])
    xx, yy, probability = plotting.decision_grid(model, X, resolution=5, margin=0.0)
    assert xx.shape == yy.shape == probability.shape == (5, 5)
    assert xx[0, 0] == 0 and yy[-1, 0] == 2
    point = torch.tensor([[float(xx[3, 1]), float(yy[3, 1])]])
    assert torch.allclose(probability[3, 1], model(point)[0, 0])


def test_a_decision_boundary_drawn_again_on_the_same_axes_keeps_one_colour_bar():
    torch.manual_seed(0)
    model, X, y = models.SimpleClassifier(2, 4), torch.randn(20, 2), torch.randint(0, 2, (20,))
    figure, ax = plt.subplots()
    for _ in range(3):  # as a live plot redraws after each epoch
        plotting.plot_decision_boundary(model, X, y, ax=ax, resolution=20)
    assert len(figure.axes) == 2  # the plot and one colour bar
    plt.close(figure)
