"""Facts the training image shares with the rest of the project.

The TypeScript program defines them once in vocabulary/names.ts; this module is their single copy
on the Python side, and test/unit/train-constants.test.ts fails when the two drift apart.
Import from here, never repeat the strings.
"""

MODEL_NAME = "GourmetGramFood11Model"
"""Registered model name in MLflow."""

DEVELOPMENT_ALIAS = "development"
"""Alias a version gets when every evaluation test passed; the build step starts from it."""

SCENARIOS = ("normal", "bad-architecture", "oversized")
"""What `--scenario` accepts (the `scenario` parameter of the train-model WorkflowTemplate)."""

FOOD11_CLASSES = (
    "Bread",
    "Dairy product",
    "Dessert",
    "Egg",
    "Fried food",
    "Meat",
    "Noodles/Pasta",
    "Rice",
    "Seafood",
    "Soup",
    "Vegetable/Fruit",
)
"""The app's labels, in the order of the classifier's outputs."""

APP_MEMORY_LIMIT = "1Gi"
"""Memory limit of an app container by default (defaultAppResources.limits.memory)."""

APP_MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024

INPUT_SIZE = 224
"""The app centre-crops every image to INPUT_SIZE x INPUT_SIZE RGB before calling the model."""

MODEL_FILE_NAME = "food11.pth"
"""File name the app loads with torch.load(weights_only=False); also its name inside a model version."""

MODEL_SHA256_TAG = "model_sha256"
"""Model-version tag with the sha256 of MODEL_FILE_NAME; the image build step checks the download against it."""

LOGGED_MODEL_NAME = "model"
"""Name of the MLflow LoggedModel each run logs."""

FLAVOR_NAME = "gourmetgram_food11"
"""MLflow flavor written into the MLmodel file of every logged model."""

DEFAULT_EXPERIMENT = "gourmetgram-train"
DEFAULT_VERSION_FILE = "/tmp/model_version"

SEED_ENV = "GOURMETGRAM_SEED"
WEIGHTS_ENV = "GOURMETGRAM_WEIGHTS"

# Passed from the entry point to the evaluation tests it runs.
MODEL_PATH_ENV = "GOURMETGRAM_MODEL_PATH"
SCENARIO_ENV = "GOURMETGRAM_SCENARIO"
