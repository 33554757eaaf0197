#!/usr/bin/env python3
"""Computes optical flow for probe videos that ship none, for two-stream
models: OpenCV's DIS optical flow (Kroeger et al., ECCV 2016; `--method
farneback` for Farnebäck's), between each frame and the next, in grey.

stadyn does not estimate flow itself; it reads it beside each video
(see README, "Two-stream and two-pathway models"). This script writes it
there:

    pip install opencv-python-headless numpy
    python tools/make_flow.py VIDEOS [--scale 0.25] [--method dis|farneback]

For every probe video under VIDEOS (video files, folders of frame images,
`.npy` clip arrays of uint8 N×T×H×W×3) it writes `<video>.flow.npy`,
float32: (N−1)×H×W×2 fields (u, v) in pixels for a video of N frames, or
N×(T−1)×H×W×2 beside a clip array. stadyn gives the last frame the flow
before it. `--scale` computes the flow on frames scaled by that factor
(vectors in the scaled pixels: stadyn resizes the field and its vectors to
the model's input, so this only trades detail for size and time).

`--png` writes colour-coded flow images instead (a folder `<video>.flow/`
of PNGs, the standard colour wheel, each image scaled by its largest
motion): far smaller, as AVOS datasets ship flow, but enough only for models
whose flow input is `"encoding": "color"` (the magnitude is lost).

A video whose flow exists is skipped (`--force` redoes it).
"""
import argparse
import sys
from pathlib import Path

import numpy as np

try:
    import cv2
except ImportError:  # pragma: no cover - a message, not a traceback
    sys.exit("make_flow.py needs OpenCV: pip install opencv-python-headless")

VIDEO_EXTENSIONS = {
    ".mp4", ".m4v", ".webm", ".avi", ".mkv", ".mov", ".gif", ".mpg", ".mpeg",
    ".ogv", ".flv", ".wmv", ".3gp",
}
FRAME_EXTENSIONS = {".jpg", ".jpeg", ".png"}


def natural_key(path: Path):
    import re

    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def grey(frame_rgb: np.ndarray, scale: float) -> np.ndarray:
    g = cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2GRAY)
    if scale != 1.0:
        h, w = g.shape
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        g = cv2.resize(g, size, interpolation=cv2.INTER_AREA)
    return g


def flow_of(frames, method: str, scale: float) -> np.ndarray:
    """(N−1)×H×W×2 float32 flow between consecutive frames (RGB uint8)."""
    if method == "dis":
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        estimate = lambda a, b: dis.calc(a, b, None)
    else:
        estimate = lambda a, b: cv2.calcOpticalFlowFarneback(
            a, b, None, 0.5, 3, 15, 3, 5, 1.2, 0
        )
    out = []
    prev = None
    for f in frames:
        g = grey(f, scale)
        if prev is not None:
            out.append(estimate(prev, g).astype(np.float32))
        prev = g
    if not out:
        raise ValueError("a video needs at least 2 frames for flow")
    return np.stack(out)


def read_video(path: Path):
    cap = cv2.VideoCapture(str(path))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    cap.release()


def read_folder(path: Path):
    files = sorted(
        (p for p in path.iterdir() if p.suffix.lower() in FRAME_EXTENSIONS and not p.name.startswith(".")),
        key=natural_key,
    )
    for f in files:
        frame = cv2.imread(str(f), cv2.IMREAD_COLOR)
        if frame is None:
            raise ValueError(f"cannot read frame {f}")
        yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def videos_under(root: Path):
    """Video files, frame folders and clip arrays under root (any depth)."""
    if root.is_file():
        yield root
        return
    for p in sorted(root.rglob("*")):
        if p.name.startswith(".") or p.name.endswith(".flow.npy") or any(x.endswith(".flow") for x in p.parts):
            continue
        if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS:
            yield p
        elif p.is_file() and p.suffix.lower() == ".npy":
            yield p
        elif p.is_dir() and any(c.suffix.lower() in FRAME_EXTENSIONS for c in p.iterdir()):
            yield p


def target(video: Path, png: bool = False) -> Path:
    name = video.name if video.is_dir() else video.stem
    return video.with_name(f"{name}.flow" if png else f"{name}.flow.npy")


def write_png_folder(flow: np.ndarray, out: Path) -> None:
    """One colour-wheel PNG per field of a (N−1)×H×W×2 flow, into `out`."""
    from flowvis import flow_to_color

    tmp = out.with_name(out.name + ".part")
    tmp.mkdir(parents=True, exist_ok=True)
    for i, field in enumerate(flow):
        rgb = flow_to_color(field)
        cv2.imwrite(str(tmp / f"{i:05d}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.replace(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("videos", type=Path)
    ap.add_argument("--method", choices=["dis", "farneback"], default="dis")
    ap.add_argument("--scale", type=float, default=1.0, help="compute flow on frames scaled by this (0 < s ≤ 1)")
    ap.add_argument("--force", action="store_true", help="recompute existing flow")
    ap.add_argument("--png", action="store_true", help="write colour-coded PNG folders <video>.flow/ instead")
    a = ap.parse_args()
    if not (0.0 < a.scale <= 1.0):
        sys.exit("--scale must be in (0, 1]")
    if not a.videos.exists():
        sys.exit(f"{a.videos}: no such file or folder")
    done = skipped = failed = 0
    for video in videos_under(a.videos):
        out = target(video, a.png)
        if out.exists() and not a.force:
            skipped += 1
            continue
        try:
            if video.suffix.lower() == ".npy":
                clips = np.load(video, mmap_mode="r")
                if clips.dtype != np.uint8 or clips.ndim not in (4, 5) or clips.shape[-1] != 3:
                    continue  # not a clip array (labels.npy and the like)
                if clips.ndim == 4:
                    flow = flow_of(clips, a.method, a.scale)
                else:
                    flow = np.stack([flow_of(c, a.method, a.scale) for c in clips])
            elif video.is_dir():
                flow = flow_of(read_folder(video), a.method, a.scale)
            else:
                flow = flow_of(read_video(video), a.method, a.scale)
        except ValueError as e:
            print(f"{video}: {e}", file=sys.stderr)
            failed += 1
            continue
        if a.png:
            if flow.ndim == 5:
                print(f"{video}: --png is for single videos, not clip arrays", file=sys.stderr)
                failed += 1
                continue
            write_png_folder(flow, out)
        else:
            tmp = out.with_name(out.name + ".part")
            with open(tmp, "wb") as f:
                np.save(f, np.ascontiguousarray(flow, dtype="<f4"))
            tmp.replace(out)
        done += 1
        print(f"{out}: {flow.shape}")
    print(f"flow written for {done} videos, {skipped} had it, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
