import pytest

from gourmetgram_train.errors import UsageError
from gourmetgram_train.seeding import MAX_SEED, resolve_seed
from gourmetgram_train.simulated import ACCURACY_THRESHOLD, GOOD_ACCURACY, POOR_ACCURACY, simulated_accuracy


def test_the_flag_wins_over_the_environment():
    assert resolve_seed("7", "9", "GOURMETGRAM_SEED") == (7, "--seed")
    assert resolve_seed(None, "9", "GOURMETGRAM_SEED") == (9, "GOURMETGRAM_SEED")


def test_without_a_seed_a_fresh_one_is_drawn_and_reported():
    seed, origin = resolve_seed(None, "", "GOURMETGRAM_SEED")
    assert origin == "random"
    assert 0 <= seed <= MAX_SEED


@pytest.mark.parametrize(("value", "message"), [
    ("abc", "GOURMETGRAM_SEED must be an integer between 0 and 4294967295, got 'abc'"),
    ("1.5", "must be an integer"),
    ("4294967296", "must be between 0 and 4294967295, got 4294967296"),
])
def test_a_malformed_seed_is_refused(value, message):
    with pytest.raises(UsageError, match=message.replace(".", r"\.")):
        resolve_seed(None, value, "GOURMETGRAM_SEED")


def test_the_simulated_accuracy_is_reproducible_and_fails_about_three_times_in_ten():
    draws = [simulated_accuracy(seed) for seed in range(2000)]
    assert draws == [simulated_accuracy(seed) for seed in range(2000)]
    assert set(draws) == {GOOD_ACCURACY, POOR_ACCURACY}
    failing = sum(d < ACCURACY_THRESHOLD for d in draws) / len(draws)
    assert 0.25 < failing < 0.35
