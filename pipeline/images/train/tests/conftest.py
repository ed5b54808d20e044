"""Fixtures for the evaluation tests. The entry point runs pytest over this directory with the
candidate model's path, the scenario and the seed in the environment."""

import os
import random

import pytest
import torch

from gourmetgram_train.constants import INPUT_SIZE, MODEL_PATH_ENV, SCENARIO_ENV, SEED_ENV

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through `python -m gourmetgram_train`", pytrace=False)
    return value


@pytest.fixture(scope="session")
def model_path() -> str:
    return _required_env(MODEL_PATH_ENV)


@pytest.fixture(scope="session")
def seed() -> int:
    return int(_required_env(SEED_ENV))


@pytest.fixture(scope="session")
def scenario() -> str:
    return _required_env(SCENARIO_ENV)


@pytest.fixture(scope="session")
def model(model_path):
    """The candidate, loaded the way the GourmetGram app loads food11.pth."""
    loaded = torch.load(model_path, weights_only=False, map_location=torch.device("cpu"))
    loaded.eval()
    return loaded


@pytest.fixture(scope="session")
def food_image(seed):
    """A 320x240 RGB photo stand-in (smooth colour field plus grain), drawn from the seed."""
    from PIL import Image

    rng = random.Random(seed)
    width, height = 320, 240
    base = [rng.randrange(256) for _ in range(3)]
    pixels = bytes(
        min(255, max(0, base[c] + (x * (c + 1) + y * (3 - c)) // 8 + rng.randrange(-12, 13)))
        for y in range(height) for x in range(width) for c in range(3)
    )
    return Image.frombytes("RGB", (width, height), pixels)


@pytest.fixture(scope="session")
def app_input(food_image):
    """food_image preprocessed exactly as the app does: resize 256, centre-crop 224, normalise."""
    from torchvision import transforms

    preprocess = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(INPUT_SIZE),
        transforms.ToTensor(),
        transforms.Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD),
    ])
    return preprocess(food_image).unsqueeze(0)
