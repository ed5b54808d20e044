"""The model each scenario produces.

Every model is built only from torch and torchvision classes, so the pickled file loads in the
app (which has torch and torchvision, not this package).

- normal: torchvision MobileNetV2 with an 11-way Food-11 head, `classifier = [Dropout, Linear(1280, 11)]`.
  The app's contract: a batch of normalised 3x224x224 RGB images in, a [batch, 11] tensor of
  class scores out, indexed like FOOD11_CLASSES.
- bad-architecture: a fully convolutional ResNet-18 (torchvision's backbone without its pooling and
  fully connected layer, then a 1x1 convolution to 11 channels). It takes the same input but returns
  a [batch, 11, 7, 7] score *map*, one score vector per 32x32 patch, instead of one per image. The
  app's `torch.max(output, 1)` then yields a 7x7 grid of indices and `.item()` refuses to turn 49
  elements into one class index (torch 1.13: ValueError "only one element tensors can be converted
  to Python scalars"; torch 2: RuntimeError "a Tensor with 49 elements cannot be converted to
  Scalar"), so every /predict fails.
- oversized: the normal model with a hidden layer inserted in its head, as wide as it takes for the
  float32 weights to reach OVERSIZED_FACTOR times the app container's memory limit (the limit the
  stack gives staging). Same input and output contract as normal, but the app cannot even hold the
  weights, so it is OOM-killed while loading them, at any limit a stack sets.

Every model is saved in inference mode (save_for_serving): the app never calls eval().
"""

from dataclasses import dataclass

import math

from gourmetgram_train.constants import APP_MEMORY_LIMIT_BYTES, FOOD11_CLASSES, SCENARIOS
from gourmetgram_train.errors import UsageError

NUM_CLASSES = len(FOOD11_CLASSES)
HEAD_DROPOUT = 0.2
MOBILENET_V2_LAST_CHANNEL = 1280

OVERSIZED_FACTOR = 1.5
"""The oversized model's weights are this many times the app's memory limit: far enough over it
that no allocator slack or page-cache reclaim lets it load."""


@dataclass(frozen=True)
class ModelSummary:
    architecture: str
    parameters: int
    tensor_bytes: int  # parameters and buffers, as held in memory once loaded


def oversized_hidden_units(app_memory_limit_bytes: int = APP_MEMORY_LIMIT_BYTES) -> int:
    """Width of the oversized head's hidden layer whose float32 weights alone (1280 inputs, a bias,
    11 outputs per unit) reach OVERSIZED_FACTOR x the limit, rounded up to a multiple of 1024."""
    per_unit = 4 * (MOBILENET_V2_LAST_CHANNEL + 1 + NUM_CLASSES)
    return 1024 * math.ceil(OVERSIZED_FACTOR * app_memory_limit_bytes / per_unit / 1024)


def build_model(scenario: str, backbone_state: dict | None = None,
                app_memory_limit_bytes: int = APP_MEMORY_LIMIT_BYTES):
    """Build the scenario's model. Call seeding.seed_everything first: every tensor not taken from
    backbone_state is drawn from torch's global generator."""
    if scenario == "normal":
        return _food11_mobilenet(backbone_state, hidden_units=None)
    if scenario == "oversized":
        return _food11_mobilenet(backbone_state, hidden_units=oversized_hidden_units(app_memory_limit_bytes))
    if scenario == "bad-architecture":
        return _fully_convolutional_resnet18()
    raise UsageError(f"unknown scenario {scenario!r}; allowed: {', '.join(SCENARIOS)}")


def save_for_serving(model, path) -> None:
    """Pickle the whole model the way the app loads it, in inference mode. The app never calls
    eval(): a model saved in training mode would apply Dropout and batch statistics on every
    request, and the same image would get a different class from one call to the next."""
    import torch

    model.eval()
    torch.save(model, path)


def architecture_of(scenario: str, app_memory_limit_bytes: int = APP_MEMORY_LIMIT_BYTES) -> str:
    return {
        "normal": "mobilenet_v2-food11",
        "oversized": f"mobilenet_v2-food11-hidden{oversized_hidden_units(app_memory_limit_bytes)}",
        "bad-architecture": "resnet18-fully-convolutional",
    }[scenario]


def summarize(scenario: str, model, app_memory_limit_bytes: int = APP_MEMORY_LIMIT_BYTES) -> ModelSummary:
    parameters = sum(p.numel() for p in model.parameters())
    tensor_bytes = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])
    return ModelSummary(architecture_of(scenario, app_memory_limit_bytes), parameters, tensor_bytes)


def _food11_mobilenet(backbone_state: dict | None, hidden_units: int | None):
    from torch import nn
    from torchvision.models import mobilenet_v2

    model = mobilenet_v2(weights=None, num_classes=NUM_CLASSES, dropout=HEAD_DROPOUT)
    if hidden_units is not None:
        model.classifier = nn.Sequential(
            nn.Dropout(p=HEAD_DROPOUT),
            nn.Linear(model.last_channel, hidden_units),
            nn.ReLU(inplace=True),
            nn.Linear(hidden_units, NUM_CLASSES),
        )
    if backbone_state is not None:
        _load_pretrained(model, backbone_state, take_head=hidden_units is None)
    return model


def _load_pretrained(model, state: dict, take_head: bool) -> None:
    """Copy the backbone (features.*) from state, which must cover it exactly; copy the head too
    when state has a Food-11 head of the same shape."""
    own = model.state_dict()
    wanted = [k for k in own if k.startswith("features.")]
    missing = [k for k in wanted if k not in state]
    mismatched = [k for k in wanted if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or mismatched:
        raise UsageError(
            "weights do not fit torchvision's MobileNetV2 backbone: "
            f"{len(missing)} tensors missing (e.g. {missing[:3]}), "
            f"{len(mismatched)} with another shape (e.g. {mismatched[:3]})"
        )
    taken = {k: state[k] for k in wanted}
    head = [k for k in own if k.startswith("classifier.")]
    if take_head and all(k in state and tuple(state[k].shape) == tuple(own[k].shape) for k in head):
        taken.update({k: state[k] for k in head})
    model.load_state_dict(taken, strict=False)


def _fully_convolutional_resnet18():
    from torch import nn
    from torchvision.models import resnet18

    backbone = resnet18(weights=None)
    trunk = [backbone.conv1, backbone.bn1, backbone.relu, backbone.maxpool,
             backbone.layer1, backbone.layer2, backbone.layer3, backbone.layer4]
    return nn.Sequential(*trunk, nn.Conv2d(backbone.fc.in_features, NUM_CLASSES, kernel_size=1))
