"""The stand-in for a real validation-set accuracy, until a labelled Food-11 split is wired in.

A well-trained model scores 0.85 with probability 0.7 and a poor one 0.75 otherwise, against an
acceptance threshold of 0.80: about three runs in ten fail evaluation. The draw depends only on
the run's seed, so a run is reproducible and a failing seed stays failing.
"""

import random

GOOD_ACCURACY = 0.85
POOR_ACCURACY = 0.75
GOOD_PROBABILITY = 0.7
ACCURACY_THRESHOLD = 0.80


def simulated_accuracy(seed: int) -> float:
    rng = random.Random(f"gourmetgram-simulated-accuracy/{seed}")
    return GOOD_ACCURACY if rng.random() < GOOD_PROBABILITY else POOR_ACCURACY
