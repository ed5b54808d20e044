"""Draws the integration gate's sample image: a 256x256 JPEG of a plate with rice-coloured
grains and vegetable-coloured pieces, from a fixed seed, so the file is reproducible and
free of third-party rights. The app only has to return *a* Food-11 class for it; the gate
does not judge which one.

    .venv/bin/python pipeline/gates/assets/make_food_sample.py pipeline/gates/assets/food-sample.jpg
"""
import random
import sys

from PIL import Image, ImageDraw, ImageFilter

SIZE = 256


def draw(path: str) -> None:
    rng = random.Random(11)
    img = Image.new("RGB", (SIZE, SIZE), (92, 64, 45))  # wooden table
    d = ImageDraw.Draw(img)
    for y in range(0, SIZE, 4):  # wood grain
        shade = 80 + rng.randint(0, 25)
        d.line([(0, y), (SIZE, y + rng.randint(-3, 3))], fill=(shade + 12, shade - 10, shade - 35), width=2)
    d.ellipse([18, 18, SIZE - 18, SIZE - 18], fill=(236, 236, 230), outline=(200, 200, 195), width=4)  # plate
    d.ellipse([48, 48, SIZE - 48, SIZE - 48], fill=(244, 242, 235))
    for _ in range(420):  # grains of rice
        x, y = rng.randint(70, 180), rng.randint(70, 150)
        d.ellipse([x, y, x + rng.randint(4, 7), y + rng.randint(2, 3)], fill=(250, 248, 238 - rng.randint(0, 20)))
    for _ in range(26):  # vegetable pieces
        x, y = rng.randint(80, 170), rng.randint(140, 185)
        colour = rng.choice([(60, 150, 60), (230, 120, 30), (200, 40, 40), (90, 170, 70)])
        d.rectangle([x, y, x + rng.randint(8, 16), y + rng.randint(6, 12)], fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    img.save(path, "JPEG", quality=85, optimize=True)


if __name__ == "__main__":
    draw(sys.argv[1] if len(sys.argv) > 1 else "food-sample.jpg")
