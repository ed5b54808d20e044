"""Draws the stand-in's bundled test image, `instance/uploads/test_image.jpeg`: a 1280x1280
photo-like JPEG of about the upstream sample's size (1280x1280, ~430 KiB), so /test costs the
same JPEG decode and resize as in the real app. Drawn from a fixed seed: reproducible and free of
third-party rights.

    python make_test_image.py instance/uploads/test_image.jpeg
"""
import random
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SIZE = 1280


def draw(path: str) -> None:
    rng = random.Random(11)
    img = Image.new("RGB", (SIZE, SIZE), (92, 64, 45))
    d = ImageDraw.Draw(img)
    margin = SIZE // 14
    d.ellipse([margin, margin, SIZE - margin, SIZE - margin], fill=(236, 236, 230))  # plate
    for _ in range(2500):  # grains of rice
        x, y = rng.randint(350, 900), rng.randint(350, 750)
        d.ellipse([x, y, x + rng.randint(20, 35), y + rng.randint(10, 15)], fill=(250, 248, 238 - rng.randint(0, 20)))
    for _ in range(130):  # vegetable pieces
        x, y = rng.randint(400, 850), rng.randint(700, 920)
        colour = rng.choice([(60, 150, 60), (230, 120, 30), (200, 40, 40), (90, 170, 70)])
        d.rectangle([x, y, x + rng.randint(40, 80), y + rng.randint(30, 60)], fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(2))
    # Sensor-like grain, so the JPEG carries as much detail as a photo of this size.
    noise = np.random.default_rng(11).normal(0, 14, (SIZE, SIZE, 3))
    pixels = np.clip(np.asarray(img, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, "JPEG", quality=85)


if __name__ == "__main__":
    draw(sys.argv[1] if len(sys.argv) > 1 else "test_image.jpeg")
