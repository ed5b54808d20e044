"""An MLflow model flavor whose artifact is the exact file the app loads.

mlflow.pytorch cannot serve here: in MLflow 3 its save_model imports torch.export (torch >= 2.1)
even for the pickle format, and stores the model as data/model.pth written with cloudpickle next
to files the app does not need. This flavor stores the evaluated `food11.pth`, byte for byte, at
the top of the logged model, so the build step downloads `models:/<name>/<version>` and finds
`food11.pth` there. Used through mlflow.models.Model.log(flavor=this module, ...).
"""

import os
import shutil
from pathlib import Path

from gourmetgram_train.constants import FLAVOR_NAME, FOOD11_CLASSES, INPUT_SIZE, MODEL_FILE_NAME


def save_model(path, mlflow_model, model_file, scenario, sha256, pip_requirements):
    """Write an MLflow model directory at `path` holding `model_file` as MODEL_FILE_NAME."""
    from mlflow.models.model import MLMODEL_FILE_NAME

    target = Path(path)
    target.mkdir(parents=True, exist_ok=False)
    shutil.copyfile(model_file, target / MODEL_FILE_NAME)
    (target / "requirements.txt").write_text("".join(f"{r}\n" for r in pip_requirements))
    mlflow_model.add_flavor(
        FLAVOR_NAME,
        model_file=MODEL_FILE_NAME,
        sha256=sha256,
        scenario=scenario,
        load="torch.load(model_file, weights_only=False, map_location='cpu')",
        input=f"float32 [batch, 3, {INPUT_SIZE}, {INPUT_SIZE}], ImageNet-normalised RGB",
        classes=list(FOOD11_CLASSES),
    )
    mlflow_model.save(os.path.join(target, MLMODEL_FILE_NAME))
