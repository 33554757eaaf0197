#!/usr/bin/env python3
"""stadyn against a PyTorch pipeline written the reference's way, on the
same pairs: PIL frames from a pre-stylized `style_<k>/<video>/` folder, a
DataLoader, every layer's pooled features kept in RAM, the estimator
(METHOD.md §4, NumPy) at the end. Both are timed end to end, process start
included, with the same threads; the reference pipeline with each
DataLoader `num_workers` asked for, the best of them counting. Both print
their dims and percentages, so a reader sees they computed the same thing.

    python tools/make_stylized.py sample_data/generated/footage/bigbuckbunny.mp4 \\
        --out /tmp/stylized --short-side 128 --frames 64 --clips 2
    python tools/reference_pipeline.py --model sample_data/models/cnn3d-motion/epoch_10.00.pt \\
        --videos /tmp/stylized --pairs 200 --threads 2 --stadyn target/release/stadyn

The pairs are stadyn's plan (`stadyn pairs --list`, not timed): which video,
factor, styles, window and frame order each pair has. The reference
pipeline then loads and preprocesses the frames itself, as the reference's
data loaders do (/255, bilinear resize to the short side with
align_corners=False, center crop as PySlowFast, the manifest's mean/std).
stadyn runs with `--bootstrap 0` by default (the reference computes no
intervals); `--bootstrap 200` times stadyn with its default intervals.
"""
import argparse
import csv
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def natural(path: Path):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


# ---- the reference-style pipeline (run in its own process) -------------------
def run(a) -> None:
    import numpy as np
    import torch
    import torch.nn.functional as F
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset

    sys.path.insert(0, str(HERE))
    from numpy_reference import reference

    torch.set_num_threads(a.threads)
    manifest = json.loads(a.model.with_suffix(".json").read_text())
    side, crop = manifest["short_side"], manifest["crop"]
    mean = torch.tensor(manifest["mean"]).view(3, 1, 1, 1)
    std = torch.tensor(manifest["std"]).view(3, 1, 1, 1)
    rows = list(csv.DictReader(open(a.plan)))

    class Pairs(Dataset):
        def __len__(self):
            return len(rows)

        def clip(self, folder: Path, frames):
            files = sorted((p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")),
                           key=natural)
            x = torch.stack([torch.from_numpy(np.asarray(Image.open(files[i]).convert("RGB")).copy())
                             for i in frames])  # T×H×W×3 uint8
            x = x.permute(0, 3, 1, 2).float() / 255.0  # T×3×H×W
            h, w = x.shape[2:]
            rh, rw = (math.floor(h / w * side), side) if w < h else (side, math.floor(w / h * side))
            if (rh, rw) != (h, w):
                x = F.interpolate(x, size=(rh, rw), mode="bilinear", align_corners=False, antialias=False)
            oy, ox = math.ceil((rh - crop[0]) / 2), math.ceil((rw - crop[1]) / 2)
            x = x[:, :, oy:oy + crop[0], ox:ox + crop[1]].permute(1, 0, 2, 3)  # 3×T×h×w
            return (x - mean) / std

        def __getitem__(self, i):
            r = rows[i]
            frames = [int(f) for f in r["frames"].split()]
            a_ = self.clip(a.videos / r["video"], frames)
            if r["factor"] == "static":
                perm = [int(p) for p in r["permutation"].split()]
                b_ = a_[:, perm]
            else:
                b_ = self.clip(a.videos / r["video_b"], frames)
            return a_, b_, 0 if r["factor"] == "dynamic" else 1

    model = torch.jit.load(str(a.model))
    model.eval()
    layers = manifest.get("layers") or None
    feats = {}
    factors = []
    loader = DataLoader(Pairs(), batch_size=a.batch, num_workers=a.workers)
    with torch.no_grad():
        for xa, xb, f in loader:
            out = [model(xa), model(xb)]
            for name in layers or [k for k in out[0] if k not in manifest.get("ignore", ["logits"])]:
                pooled = []
                for o in out:
                    t = o[name]
                    pooled.append((t.mean(dim=tuple(range(2, t.dim()))) if t.dim() > 3 else
                                   t.mean(dim=1) if t.dim() == 3 else t).numpy())
                feats.setdefault(name, ([], []))
                feats[name][0].append(pooled[0])
                feats[name][1].append(pooled[1])
            factors.extend(f.tolist())
    factors = np.array(factors)
    result = {}
    for name, (za, zb) in feats.items():
        _, dims, pct, _, _ = reference(np.concatenate(za), np.concatenate(zb), factors, 0.5)
        result[name] = {"dims": dims, "pct": pct}
    print(json.dumps(result))


# ---- the comparison ------------------------------------------------------------
def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{(r.stderr or r.stdout)[-3000:]}")
    return dt, r.stdout


def compare(a) -> None:
    stadyn = str(a.stadyn.resolve())
    with tempfile.TemporaryDirectory(prefix="stadyn_ref_") as tmp:
        tmp = Path(tmp)
        plan = tmp / "plan.csv"
        timed([stadyn, "pairs", str(a.videos), "--model", str(a.model), "--pairs", str(a.pairs),
               "--seed", str(a.seed), "--list", str(plan)])
        print(f"plan: {a.pairs} pairs of {a.videos} (stadyn pairs --list, not timed)")
        ref, best = None, None
        for w in a.workers:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--run", "--plan", str(plan), "--model",
                   str(a.model), "--videos", str(a.videos), "--threads", str(a.threads), "--batch",
                   str(a.batch), "--workers", str(w)]
            dt, out = timed(cmd)
            ref = json.loads(out.strip().splitlines()[-1])
            print(f"reference pipeline, num_workers={w}: {dt:.2f} s")
            best = dt if best is None else min(best, dt)
        out = tmp / "out"
        dt, _ = timed([stadyn, "analyze", "--model", str(a.model), "--videos", str(a.videos), "--pairs",
                       str(a.pairs), "--seed", str(a.seed), "--threads", str(a.threads), "--batch",
                       str(a.batch), "--bootstrap", str(a.bootstrap), "--no-cache", "--device", "cpu",
                       "--out", str(out), "-q"])
        print(f"stadyn analyze (bootstrap {a.bootstrap}): {dt:.2f} s")
        report = json.loads((out / "report.json").read_text())
        print(f"\n{'layer':12} {'reference dims / %':34} {'stadyn dims / %':34} same")
        same_all = True
        for layer in report["models"][0]["layers"]:
            r = ref.get(layer["name"], {})
            same = r.get("dims") == layer["dims"] and r.get("pct") == layer["pct"]
            same_all &= same
            print(f"{layer['name']:12} {str(r.get('dims')) + ' ' + str(r.get('pct')):34} "
                  f"{str(layer['dims']) + ' ' + str(layer['pct']):34} {'yes' if same else 'NO'}")
        print(f"\nreference (best of num_workers {a.workers}) / stadyn: {best / dt:.2f}x")
        if not same_all:
            sys.exit("the two pipelines disagree on some layer (see above)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--videos", type=Path, required=True, help="a pre-stylized folder style_<k>/<video>/")
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--workers", type=lambda s: [int(w) for w in s.split(",")], default=[0, 1, 2])
    ap.add_argument("--bootstrap", type=int, default=0)
    ap.add_argument("--stadyn", type=Path, default=Path("target/release/stadyn"))
    ap.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.workers = a.workers if isinstance(a.workers, list) else [a.workers]
    if a.run:
        a.workers = a.workers[0]
        run(a)
    else:
        compare(a)


if __name__ == "__main__":
    main()
