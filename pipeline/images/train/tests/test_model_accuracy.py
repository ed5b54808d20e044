"""Accuracy on the validation set, simulated until a labelled split is wired in (see
gourmetgram_train.simulated and docs/training.md on replacing it with a real measurement)."""

from gourmetgram_train.simulated import ACCURACY_THRESHOLD, simulated_accuracy


def test_accuracy_meets_threshold(seed, record_property):
    accuracy = simulated_accuracy(seed)
    record_property("accuracy", accuracy)
    assert accuracy >= ACCURACY_THRESHOLD, (
        f"validation accuracy {accuracy:.2f} is below the {ACCURACY_THRESHOLD:.2f} threshold"
    )
