#!/usr/bin/env python3
"""Checks `stadyn channels` output for channel 0 of the `inspect` test model
(its map is the input's red plane, so its pooled value is the mean red of
the frames a member sees) against a brute-force computation in NumPy from
the plan `stadyn pairs --list` writes and the probe frames themselves:

    python tools/check_top_windows.py PLAN.csv PROBE_ROOT CHANNEL_DIR

- every member of every pair is valued independently (frames read with
  Pillow, /255, the plan's frame indices and permutation);
- `top.csv` must be the k highest and k lowest members, in order (ties by
  pair, then member), values within 1e-5; ranks may differ only among
  values within 1e-6;
- each `<end>_<rank>_map.npy` must equal the red plane of the member's
  frames, in the order the model sees them, within 1e-5.
Prints a summary; exits 1 on the first mismatch.
"""
import csv
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def frames_of(root: Path, video: str):
    folder = root / video
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))


def red_planes(root: Path, video: str, indices):
    files = frames_of(root, video)
    return np.stack(
        [np.asarray(Image.open(files[i]).convert("RGB"), dtype=np.float64)[:, :, 0] / 255.0 for i in indices]
    )


def members(plan_csv: Path, root: Path):
    """(pair, member) -> (value, red planes in the order the model sees them)."""
    out = {}
    for row in csv.DictReader(open(plan_csv)):
        pair = int(row["pair"])
        frames = [int(x) for x in row["frames"].split()]
        a = red_planes(root, row["video"], frames)
        if row["factor"] == "static":
            perm = [int(x) for x in row["permutation"].split()]
            b = a[perm]
        else:
            b = red_planes(root, row["video_b"], frames)
        out[(pair, 1)] = (a.mean(), a)
        out[(pair, 2)] = (b.mean(), b)
    return out


def fail(msg):
    print(f"MISMATCH: {msg}")
    sys.exit(1)


def main(plan_csv, root, channel_dir):
    root, channel_dir = Path(root), Path(channel_dir)
    every = members(Path(plan_csv), root)
    top = list(csv.DictReader(open(channel_dir / "top.csv")))
    checked = 0
    for end, sign in (("high", -1.0), ("low", 1.0)):
        ours = [r for r in top if r["end"] == end]
        brute = sorted(every.items(), key=lambda kv: (sign * kv[1][0], kv[0][0], kv[0][1]))[: len(ours)]
        for rank, (r, ((bp, bm), (bv, _))) in enumerate(zip(ours, brute), start=1):
            key = (int(r["pair"]), int(r["member"]))
            value = float(r["value"])
            if int(r["rank"]) != rank:
                fail(f"{end} rank {r['rank']} at position {rank}")
            if abs(value - every[key][0]) > 1e-5:
                fail(f"{end} {rank}: stored {value}, NumPy {every[key][0]} for {key}")
            if abs(value - bv) > 1e-5:
                fail(f"{end} {rank}: stored {value}, brute force {bv}")
            if key != (bp, bm) and abs(every[key][0] - bv) > 1e-6:
                fail(f"{end} {rank}: {key} where brute force has {(bp, bm)} ({every[key][0]} vs {bv})")
            m = np.load(channel_dir / f"{end}_{rank}_map.npy")
            want = every[key][1]
            if m.shape != want.shape or np.abs(m - want).max() > 1e-5:
                fail(f"{end}_{rank}_map.npy differs from the red plane of {key}")
            checked += 1
    print(f"ok: {checked} top windows and maps match NumPy over {len(every)} members")


if __name__ == "__main__":
    main(*sys.argv[1:4])
