"""One seed per run makes the model initialisation and the evaluation reproducible."""

import random
import secrets

from gourmetgram_train.errors import UsageError

MAX_SEED = 2**32 - 1


def parse_seed(value: str, origin: str) -> int:
    try:
        seed = int(value.strip(), 10)
    except ValueError:
        raise UsageError(
            f"{origin} must be an integer between 0 and {MAX_SEED}, got {value!r}"
        ) from None
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"{origin} must be between 0 and {MAX_SEED}, got {seed}")
    return seed


def resolve_seed(cli_value: str | None, env_value: str | None, env_name: str) -> tuple[int, str]:
    """The seed to use and where it came from: --seed, then the environment, else a fresh one."""
    if cli_value is not None:
        return parse_seed(cli_value, "--seed"), "--seed"
    if env_value not in (None, ""):
        return parse_seed(env_value, env_name), env_name
    return secrets.randbelow(MAX_SEED + 1), "random"


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    torch.manual_seed(seed)
