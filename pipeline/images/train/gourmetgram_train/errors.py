"""The two ways a run can end without reaching a decision, each with its own exit status."""


class TrainingError(Exception):
    exit_code = 1


class UsageError(TrainingError):
    """Bad input: an unknown scenario, a malformed seed, a missing tests directory."""

    exit_code = 2


class InfrastructureError(TrainingError):
    """Something the run depends on failed: MLflow unreachable, weights not fetchable, pytest crashed."""

    exit_code = 3
