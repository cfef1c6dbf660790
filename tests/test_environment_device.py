"""environment.pick_device: cuda, then mps, then cpu (availability faked)."""

import pytest
import torch

from course_utils import environment


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_pick_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert environment.pick_device() == torch.device(expected)


def test_pick_device_on_this_machine_is_one_torch_can_use():
    device = environment.pick_device()
    assert torch.ones(2, device=device).sum().item() == 2
