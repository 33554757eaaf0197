#!/usr/bin/env python3
"""An independent NumPy implementation of the estimator (METHOD.md §4-5, the
reference `dim_est`), used to check `stadyn estimate` digit for digit.

    numpy_reference.py make ACTS.npz [--seed S] [--compressed]
        writes test activations: several layers of different widths, float32
        and float64, a large-offset layer, dead channels.
    numpy_reference.py check ACTS.npz REPORT.json [--threshold T]
        recomputes every layer with NumPy (two-pass, on matrices, in float64)
        and compares: dims, pct and categories exactly, scores and rho to 1e-9
        relative. Exit status 0 when everything matches.
"""
import argparse
import json
import math
import sys

import numpy as np


def make(path, seed, compressed):
    rng = np.random.default_rng(seed)
    arrays = {}
    # (name, N, C, dtype, share_dynamic, share_static, offset)
    layers = [
        ("stem", 40, 1, np.float64, 0.5, 0.5, 0.0),
        ("layer1.0.conv1", 301, 7, np.float32, 0.8, 0.3, 0.0),
        ("layer2", 500, 64, np.float64, 0.4, 0.7, 3.0),
        ("blocks.3/attn", 257, 96, np.float32, 0.6, 0.6, 0.0),
        ("offset", 400, 16, np.float64, 0.7, 0.2, 1.0e5),
    ]
    for name, n, c, dtype, sd, ss, off in layers:
        factor = rng.integers(0, 2, size=n)
        factor[:2] = [0, 1]
        factor[2:4] = [0, 1]
        share = np.where(factor == 0, sd, ss)[:, None]
        scale = 1.0 + rng.random(c)[None, :] * 3.0
        common = rng.standard_normal((n, c))
        za = off + scale * (share * common + (1 - share) * rng.standard_normal((n, c)))
        zb = off + scale * (share * common + (1 - share) * rng.standard_normal((n, c)))
        if c >= 7:
            za[:, 2] = zb[:, 2] = off + 0.25  # dead everywhere
            st = factor == 1
            za[st, 5] = zb[st, 5] = off - 1.0  # dead on static pairs only
        arrays[f"{name}/za"] = za.astype(dtype)
        arrays[f"{name}/zb"] = zb.astype(dtype)
        arrays[f"{name}/factor"] = factor.astype(np.int64)
    (np.savez_compressed if compressed else np.savez)(path, **arrays)


def softmax(s):
    e = np.exp(s - np.max(s))
    return e / np.sum(e)


def reference(za, zb, factors, tau):
    za = za.astype(np.float64)
    zb = zb.astype(np.float64)
    zall = np.concatenate([za, zb], 0)
    mean = np.mean(zall, 0, keepdims=True)
    var = np.sum(np.mean((zall - mean) * (zall - mean), 0))
    scores, rho = [], []
    for f in (0, 1):
        idx = np.where(factors == f)[0]
        a, b = za[idx], zb[idx]
        m = 0.5 * (np.mean(a, 0, keepdims=True) + np.mean(b, 0, keepdims=True))
        cov = np.mean((a - m) * (b - m), 0)
        u = np.concatenate((a, b), axis=0)
        # Two-pass variance; a constant column is exactly zero only if every
        # value equals the first one (np.var's mean can be off by an ulp).
        v = np.var(u, 0)
        v[np.all(u == u[:1], axis=0)] = 0.0
        scores.append(np.sum(cov) / var)
        with np.errstate(divide="ignore", invalid="ignore"):
            rho.append(np.where(v > 0, cov / np.where(v > 0, v, 1.0), np.nan))
    scores.append(1.0)
    p = softmax(np.array(scores))
    dim = za.shape[1]
    dims = [int(s * dim) for s in p]
    dims[-1] = dim - sum(dims[:-1])
    pct = [round(100 * (d / sum(dims)), 1) for d in dims]
    cats = []
    for d, s in zip(rho[0], rho[1]):
        if np.isnan(d) or np.isnan(s):
            cats.append("unassigned")
        elif d > tau and s < tau:
            cats.append("dynamic")
        elif d < tau and s > tau:
            cats.append("static")
        elif d > tau and s > tau:
            cats.append("joint")
        elif d < tau and s < tau:
            cats.append("none")
        else:
            cats.append("unassigned")
    return scores, dims, pct, rho, cats


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def check(npz_path, report_path, tau):
    data = np.load(npz_path)
    report = json.load(open(report_path))
    layers = {l["name"]: l for l in report["models"][0]["layers"]}
    names = sorted({k.rsplit("/", 1)[0] for k in data.files if k.endswith("/za")})
    problems = []
    for name in names:
        if name not in layers:
            problems.append(f"{name}: missing from report")
            continue
        got = layers[name]
        f = data[f"{name}/factor"]
        scores, dims, pct, rho, cats = reference(data[f"{name}/za"], data[f"{name}/zb"], f, tau)
        if got["dims"] != dims:
            problems.append(f"{name}: dims {got['dims']} != {dims}")
        if got["pct"] != pct:
            problems.append(f"{name}: pct {got['pct']} != {pct}")
        for k in (0, 1):
            if not close(got["scores"][k], scores[k], 1e-9):
                problems.append(f"{name}: score {k} {got['scores'][k]!r} != {scores[k]!r}")
        for k, key in ((0, "rho_dynamic"), (1, "rho_static")):
            for c, (g, r) in enumerate(zip(got["units"][key], rho[k])):
                if np.isnan(r) != (g is None) or (g is not None and not close(g, r, 1e-9)):
                    problems.append(f"{name}: {key}[{c}] {g!r} != {r!r}")
        if got["units"]["category"] != cats:
            problems.append(f"{name}: categories differ")
        if got["units"]["unassigned"] != cats.count("unassigned"):
            problems.append(f"{name}: unassigned {got['units']['unassigned']} != {cats.count('unassigned')}")
        print(f"{name}: C={len(cats)} pct={pct} scores=[{scores[0]:.6f}, {scores[1]:.6f}]")
    for p in problems:
        print("MISMATCH", p)
    return 0 if not problems else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("npz")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--compressed", action="store_true")
    c = sub.add_parser("check")
    c.add_argument("npz")
    c.add_argument("report")
    c.add_argument("--threshold", type=float, default=0.5)
    a = ap.parse_args()
    if a.cmd == "make":
        make(a.npz, a.seed, a.compressed)
        return 0
    return check(a.npz, a.report, a.threshold)


if __name__ == "__main__":
    sys.exit(main())
