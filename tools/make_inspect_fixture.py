#!/usr/bin/env python3
"""Writes the pre-stylized PNG probe set the channel inspector's known-answer
test uses (tests/fixtures/stylized/): style_<k>/<video>/<frame>.png, three
styles of two 12-frame videos of 16×16 pixels (the `inspect` test model's
input size, so no resize enters the check). Each video is a bright square
moving over a textured background; each style tints it differently, so the
red plane differs between styles. Deterministic; needs NumPy and Pillow:

    python tools/make_inspect_fixture.py tests/fixtures/stylized
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

FRAMES, SIZE = 12, 16
TINTS = [(1.0, 0.8, 0.6), (0.5, 1.0, 0.9), (0.8, 0.6, 1.0)]


def video(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 160, size=(SIZE, SIZE, 3)).astype(np.float64)
    frames = []
    for t in range(FRAMES):
        f = background.copy()
        y, x = (2 + t) % (SIZE - 4), (1 + 2 * t + 3 * seed) % (SIZE - 4)
        f[y:y + 4, x:x + 4] = [250, 240, 230]
        frames.append(f)
    return np.stack(frames)


def main(out: Path):
    for k, tint in enumerate(TINTS):
        for v in range(2):
            folder = out / f"style_{k}" / f"video{v}"
            folder.mkdir(parents=True, exist_ok=True)
            frames = np.clip(video(v) * np.array(tint), 0, 255).round().astype(np.uint8)
            for t, f in enumerate(frames):
                Image.fromarray(f).save(folder / f"{t:03d}.png")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/stylized"))
