"""Builds each scenario's model with the training image's own code (gourmetgram_train) and saves it
as training does, for the app stand-in to serve: `<out>/<scenario>.pth`.

    python build_models.py OUT_DIR APP_MEMORY_LIMIT SCENARIO...
"""
import sys

from gourmetgram_train.limits import parse_memory_limit
from gourmetgram_train.models import build_model, save_for_serving, summarize
from gourmetgram_train.seeding import seed_everything


def main(out_dir: str, limit: str, scenarios: list[str]) -> None:
    limit_bytes = parse_memory_limit(limit, "app memory limit")
    for scenario in scenarios:
        seed_everything(42)
        model = build_model(scenario, app_memory_limit_bytes=limit_bytes)
        summary = summarize(scenario, model, limit_bytes)
        save_for_serving(model, f"{out_dir}/{scenario}.pth")
        print(f"{scenario} {summary.architecture} {summary.tensor_bytes}", flush=True)
        del model


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
