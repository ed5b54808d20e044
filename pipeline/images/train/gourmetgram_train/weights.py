"""Where the MobileNetV2 weights come from.

`none` (the default) means no pretrained weights: the model is initialised from the run's seed,
deterministically, and its predictions carry no meaning. `imagenet` is torchvision's ImageNet
MobileNetV2 checkpoint (downloaded into TORCH_HOME). Anything else is a path, `file://` URL or
`http(s)://` URL of a MobileNetV2 state_dict: either a Food-11 one (11-way head) or any other
whose `features.*` tensors fit (then only the backbone is taken and the head starts from the seed).
"""

import hashlib
import shutil
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from gourmetgram_train.errors import InfrastructureError, UsageError
from gourmetgram_train.files import sha256_of

FETCH_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class WeightsSource:
    kind: str  # "none" | "imagenet" | "file" | "url"
    location: str = ""

    def describe(self) -> str:
        if self.kind == "none":
            return "none (deterministic initialisation from the seed)"
        if self.kind == "imagenet":
            return "imagenet (torchvision MobileNet_V2_Weights.IMAGENET1K_V1)"
        return self.location


@dataclass(frozen=True)
class FetchedWeights:
    state_dict: dict
    sha256: str


def parse_weights_source(value: str | None) -> WeightsSource:
    text = (value or "").strip()
    if text in ("", "none"):
        return WeightsSource("none")
    if text == "imagenet":
        return WeightsSource("imagenet")
    parsed = urllib.parse.urlparse(text)
    if parsed.scheme in ("http", "https"):
        if not parsed.netloc:
            raise UsageError(f"weights URL {text!r} has no host")
        return WeightsSource("url", text)
    if parsed.scheme == "file":
        return WeightsSource("file", urllib.parse.unquote(parsed.path))
    if parsed.scheme == "":
        return WeightsSource("file", text)
    raise UsageError(
        f"weights source {text!r} is not understood: use 'none', 'imagenet', a file path, "
        "a file:// URL or an http(s):// URL of a MobileNetV2 state_dict"
    )


def fetch_weights(source: WeightsSource, workdir: Path) -> FetchedWeights | None:
    """The state_dict a source names, or None for `none`. Failing to get it is an error, never a
    silent fallback to random weights: a run asked for specific weights."""
    if source.kind == "none":
        return None
    if source.kind == "imagenet":
        return _torchvision_imagenet()
    if source.kind == "url":
        path = workdir / "weights.pth"
        _download(source.location, path)
    else:
        path = Path(source.location)
        if not path.is_file():
            raise UsageError(f"weights file {source.location!r} does not exist")
    return FetchedWeights(_load_state_dict(path, source.location), sha256_of(path))


def _download(url: str, destination: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            with open(destination, "wb") as out:
                shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as error:
        raise InfrastructureError(f"could not fetch weights from {url}: {error}") from error


def _load_state_dict(path: Path, origin: str) -> dict:
    import torch

    try:
        # weights_only: a weights source is data, and unpickling arbitrary objects runs code.
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise UsageError(
            f"weights from {origin} are not a loadable state_dict ({error}); save one with "
            "torch.save(model.state_dict(), path) — whole pickled models are not accepted here"
        ) from error
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise UsageError(f"weights from {origin} are not a state_dict (a mapping of names to tensors)")
    return loaded


def _torchvision_imagenet() -> FetchedWeights:
    from torchvision.models import MobileNet_V2_Weights

    weights = MobileNet_V2_Weights.IMAGENET1K_V1
    try:
        state_dict = weights.get_state_dict(progress=False)
    except Exception as error:
        raise InfrastructureError(f"could not fetch torchvision ImageNet weights ({weights.url}): {error}") from error
    digest = hashlib.sha256()
    for name in sorted(state_dict):
        digest.update(name.encode())
        digest.update(state_dict[name].numpy().tobytes())
    return FetchedWeights(state_dict, digest.hexdigest())

