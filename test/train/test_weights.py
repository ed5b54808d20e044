"""Weights sources: what is accepted, what is refused, and how weights reach the model."""

import pytest
import torch

from gourmetgram_train.errors import InfrastructureError, UsageError
from gourmetgram_train.models import build_model, oversized_hidden_units
from gourmetgram_train.seeding import seed_everything
from gourmetgram_train.weights import WeightsSource, fetch_weights, parse_weights_source


@pytest.mark.parametrize(("text", "expected"), [
    (None, WeightsSource("none")),
    ("", WeightsSource("none")),
    ("none", WeightsSource("none")),
    ("imagenet", WeightsSource("imagenet")),
    ("/models/food11-weights.pth", WeightsSource("file", "/models/food11-weights.pth")),
    ("file:///models/a%20b.pth", WeightsSource("file", "/models/a b.pth")),
    ("https://weights.example/food11.pth", WeightsSource("url", "https://weights.example/food11.pth")),
])
def test_accepted_sources(text, expected):
    assert parse_weights_source(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("s3://bucket/w.pth", "is not understood: use 'none', 'imagenet', a file path"),
    ("http:///w.pth", "has no host"),
])
def test_refused_sources(text, message):
    with pytest.raises(UsageError, match=message):
        parse_weights_source(text)


def test_a_food11_state_dict_is_taken_whole(tmp_path):
    seed_everything(1)
    published = build_model("normal").state_dict()
    torch.save(published, tmp_path / "w.pth")
    fetched = fetch_weights(parse_weights_source(str(tmp_path / "w.pth")), tmp_path)
    seed_everything(2)
    model = build_model("normal", fetched.state_dict).state_dict()
    assert all(torch.equal(model[k], published[k]) for k in published)
    assert len(fetched.sha256) == 64


def test_an_imagenet_shaped_state_dict_gives_the_backbone_only(tmp_path):
    from torchvision.models import mobilenet_v2

    seed_everything(1)
    imagenet = mobilenet_v2(weights=None).state_dict()  # 1000-way head
    seed_everything(2)
    limit = 256 * 2**20
    model = build_model("oversized", imagenet, app_memory_limit_bytes=limit).state_dict()
    assert torch.equal(model["features.0.0.weight"], imagenet["features.0.0.weight"])
    assert model["classifier.1.weight"].shape == (oversized_hidden_units(limit), 1280)


def test_weights_of_another_architecture_are_refused(tmp_path):
    from torchvision.models import resnet18

    torch.save(resnet18(weights=None).state_dict(), tmp_path / "resnet.pth")
    fetched = fetch_weights(parse_weights_source(str(tmp_path / "resnet.pth")), tmp_path)
    with pytest.raises(UsageError, match="do not fit torchvision's MobileNetV2 backbone: 312 tensors missing"):
        build_model("normal", fetched.state_dict)


def test_a_whole_pickled_model_is_refused_as_a_weights_source(tmp_path):
    seed_everything(1)
    torch.save(build_model("normal"), tmp_path / "whole.pth")
    with pytest.raises(UsageError, match="not a loadable state_dict"):
        fetch_weights(parse_weights_source(str(tmp_path / "whole.pth")), tmp_path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        fetch_weights(parse_weights_source(str(tmp_path / "nope.pth")), tmp_path)


def test_imagenet_weights_come_from_torchvisions_cache_when_present(tmp_path, monkeypatch):
    """torchvision looks in $TORCH_HOME/hub/checkpoints before downloading; a checkpoint placed
    there is used as is (the cluster downloads it, this test cannot)."""
    from torchvision.models import MobileNet_V2_Weights, mobilenet_v2

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    seed_everything(5)
    published = mobilenet_v2(weights=None).state_dict()
    torch.save(published, checkpoints / MobileNet_V2_Weights.IMAGENET1K_V1.url.rsplit("/", 1)[1])
    fetched = fetch_weights(WeightsSource("imagenet"), tmp_path)
    assert torch.equal(fetched.state_dict["features.0.0.weight"], published["features.0.0.weight"])


def test_an_unreachable_url_is_an_infrastructure_error(tmp_path):
    from conftest import free_loopback_port

    url = f"http://127.0.0.1:{free_loopback_port()}/w.pth"
    with pytest.raises(InfrastructureError, match=f"could not fetch weights from {url}"):
        fetch_weights(parse_weights_source(url), tmp_path)
