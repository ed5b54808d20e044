"""The scenario models, built directly (no MLflow): shapes, reproducibility, self-containment."""

import io
import pickletools
import re
import zipfile

import pytest
import torch

from gourmetgram_train.constants import APP_MEMORY_LIMIT_BYTES
from gourmetgram_train.errors import UsageError
from gourmetgram_train.limits import parse_memory_limit
from gourmetgram_train.models import OVERSIZED_FACTOR, build_model, oversized_hidden_units, save_for_serving, summarize
from gourmetgram_train.seeding import seed_everything


def built(scenario: str, seed: int = 3):
    seed_everything(seed)
    return build_model(scenario).eval()


@pytest.mark.parametrize(("scenario", "shape"), [
    ("normal", (2, 11)),
    ("oversized", (2, 11)),
    ("bad-architecture", (2, 11, 7, 7)),
])
def test_output_shape_for_a_batch_of_224x224_images(scenario, shape):
    with torch.no_grad():
        assert tuple(built(scenario)(torch.rand(2, 3, 224, 224)).shape) == shape


def test_the_same_seed_builds_the_same_model_and_another_seed_does_not():
    first, again, other = (built("normal", s).state_dict() for s in (3, 3, 4))
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["classifier.1.weight"], other["classifier.1.weight"])


def test_the_normal_model_is_torchvision_mobilenet_v2_with_an_11_way_head():
    from torchvision.models import MobileNetV2

    model = built("normal")
    assert isinstance(model, MobileNetV2)
    assert (model.classifier[1].in_features, model.classifier[1].out_features) == (1280, 11)


def test_oversized_holds_more_tensor_bytes_than_the_app_limit_and_normal_far_less():
    limit = 256 * 2**20
    seed_everything(3)
    oversized = summarize("oversized", build_model("oversized", app_memory_limit_bytes=limit), limit)
    assert OVERSIZED_FACTOR * limit < oversized.tensor_bytes < (OVERSIZED_FACTOR + 0.1) * limit
    assert summarize("normal", built("normal")).tensor_bytes < APP_MEMORY_LIMIT_BYTES // 16


@pytest.mark.parametrize("limit", ["256Mi", "768Mi", "1Gi", "4Gi", "3000M"])
def test_the_oversized_head_is_sized_from_the_limit_it_is_given(limit):
    limit_bytes = parse_memory_limit(limit, "limit")
    units = oversized_hidden_units(limit_bytes)
    head_bytes = 4 * (units * (1280 + 1 + 11) + 11)
    assert units % 1024 == 0
    assert OVERSIZED_FACTOR * limit_bytes <= head_bytes < OVERSIZED_FACTOR * limit_bytes + 4 * 1024 * 1292


@pytest.mark.parametrize(("text", "expected"), [
    ("1Gi", 2**30), ("768Mi", 768 * 2**20), ("512Ki", 512 * 1024), ("2G", 2 * 10**9), ("1073741824", 2**30), (" 1Gi ", 2**30)])
def test_a_memory_limit_is_read_as_kubernetes_writes_it(text, expected):
    assert parse_memory_limit(text, "x") == expected


@pytest.mark.parametrize("text", ["1GB", "1.5Gi", "-1Gi", "0", "lots", ""])
def test_a_memory_limit_that_is_not_a_quantity_is_refused_by_name(text):
    with pytest.raises(UsageError, match=re.escape(f"--app-memory-limit = {text!r} is not a memory limit; use a Kubernetes memory quantity")):
        parse_memory_limit(text, "--app-memory-limit")


@pytest.mark.parametrize("scenario", ["normal", "bad-architecture"])
def test_a_saved_model_answers_the_same_image_the_same_way_every_time(scenario, tmp_path):
    """As the app serves it: loaded whole, never put into eval() by the app, one image twice."""
    seed_everything(3)
    model = build_model(scenario).train()  # as training leaves it
    save_for_serving(model, tmp_path / "food11.pth")
    served = torch.load(tmp_path / "food11.pth", map_location="cpu", weights_only=False)
    assert served.training is False
    assert not any(m.training for m in served.modules())
    image = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        first, second = served(image), served(image)
    assert torch.equal(first, second)
    if scenario == "normal":
        assert torch.max(first, 1)[1].item() == torch.max(second, 1)[1].item()


def test_in_training_mode_the_same_model_would_answer_differently():
    """Why save_for_serving calls eval(): Dropout and batch statistics make answers vary."""
    seed_everything(3)
    model = build_model("normal").train()
    image = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        assert not torch.equal(model(image), model(image))


@pytest.mark.parametrize("scenario", ["normal", "bad-architecture"])
def test_a_saved_model_references_only_torch_and_torchvision(scenario):
    buffer = io.BytesIO()
    torch.save(built(scenario), buffer)
    with zipfile.ZipFile(buffer) as archive:
        data = archive.read(next(n for n in archive.namelist() if n.endswith("data.pkl")))
    # torch.save pickles with protocol 2, where every class reference is a GLOBAL "module name".
    modules = {arg.split(" ")[0].split(".")[0] for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"}
    assert "torchvision" in modules or scenario == "bad-architecture"
    assert modules <= {"torch", "torchvision", "collections", "__builtin__"}


def test_an_unknown_scenario_is_refused():
    with pytest.raises(UsageError, match="unknown scenario 'tiny'; allowed: normal, bad-architecture, oversized"):
        build_model("tiny")
