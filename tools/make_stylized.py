#!/usr/bin/env python3
"""Makes a pre-stylized probe set in the reference's layout,
`OUT/style_<k>/<video>/<frame>.jpg`, from real footage: each video's frames
(decoded by ffmpeg, scaled to a short side) rendered in a few fixed,
temporally consistent styles (the same colour transform on every frame).

    python tools/make_stylized.py sample_data/generated/footage/bigbuckbunny.mp4 \\
        --out /tmp/stylized --short-side 128 --frames 64 --clips 2

`--clips N` cuts each video into N consecutive clips of `--frames` frames
(separate probe videos). Used by tools/reference_pipeline.py (issue 14's P2
comparison) and by benchmarks over pre-stylized folders. Needs ffmpeg and
Pillow (in the set-up's venv).
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

STYLES = {
    "style_0": lambda im: im,  # the footage itself
    "style_1": lambda im: ImageOps.colorize(ImageOps.grayscale(im), "#2b1800", "#ffe9b0"),  # sepia
    "style_2": lambda im: ImageOps.posterize(im, 3),
    "style_3": lambda im: Image.merge("RGB", im.split()[::-1]),  # channels swapped
}


def frames_of(video: Path, short_side: int, tmp: Path):
    """The video's frames, scaled so that the short side is `short_side`."""
    out = tmp / video.stem
    out.mkdir(parents=True, exist_ok=True)
    scale = f"scale='if(lt(iw,ih),{short_side},-2)':'if(lt(iw,ih),-2,{short_side})'"
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-i", str(video), "-vf", scale,
           "-vsync", "passthrough", str(out / "%05d.png")]
    if subprocess.run(cmd).returncode != 0:
        sys.exit(f"ffmpeg could not decode {video}")
    return sorted(out.glob("*.png"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("videos", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--short-side", type=int, default=128)
    ap.add_argument("--frames", type=int, default=64, help="frames per clip")
    ap.add_argument("--clips", type=int, default=1, help="consecutive clips cut from each video")
    a = ap.parse_args()
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        for video in a.videos:
            files = frames_of(video, a.short_side, Path(tmp))
            for c in range(a.clips):
                part = files[c * a.frames:(c + 1) * a.frames]
                if len(part) < a.frames:
                    print(f"{video}: only {len(files)} frames, clip {c} left out", file=sys.stderr)
                    break
                name = f"{video.stem}_{c}" if a.clips > 1 else video.stem
                frames = [Image.open(f).convert("RGB") for f in part]
                for style, render in STYLES.items():
                    d = a.out / style / name
                    d.mkdir(parents=True, exist_ok=True)
                    for i, im in enumerate(frames):
                        render(im).save(d / f"{i:05d}.jpg", quality=90)
                n += 1
    print(f"wrote {n} videos in {len(STYLES)} styles to {a.out}")


if __name__ == "__main__":
    main()
