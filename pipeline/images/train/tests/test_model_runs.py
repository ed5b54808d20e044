"""Real checks on the candidate model: it loads like the app loads it, and it answers a
224x224 image. They deliberately say nothing about the output's shape beyond the batch: whether
the model fits the app's contract is proved in staging by the integration gate."""

import torch


def test_model_loads_as_a_torch_module(model):
    assert isinstance(model, torch.nn.Module)
    assert sum(p.numel() for p in model.parameters()) > 0


def test_model_answers_a_224x224_image(model, app_input, record_property):
    assert tuple(app_input.shape) == (1, 3, 224, 224)
    with torch.no_grad():
        output = model(app_input)
    assert isinstance(output, torch.Tensor), f"expected a tensor, got {type(output).__name__}"
    assert output.shape[0] == 1, f"expected one answer for one image, got shape {tuple(output.shape)}"
    assert torch.isfinite(output).all(), "the output holds NaN or infinite values"
    record_property("output_shape", "x".join(str(d) for d in output.shape))


def test_model_is_deterministic_in_eval_mode(model, app_input):
    with torch.no_grad():
        first = model(app_input)
        second = model(app_input)
    assert torch.equal(first, second)
