"""The scenario models, built directly (no MLflow): shapes, reproducibility, self-containment."""

import io
import pickletools
import zipfile

import pytest
import torch

from gourmetgram_train.constants import APP_MEMORY_LIMIT_BYTES
from gourmetgram_train.errors import UsageError
from gourmetgram_train.models import build_model, summarize
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
    assert summarize("oversized", built("oversized")).tensor_bytes > APP_MEMORY_LIMIT_BYTES
    assert summarize("normal", built("normal")).tensor_bytes < APP_MEMORY_LIMIT_BYTES // 16


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
