#!/usr/bin/env python3
"""Plots from switchboard-bench JSON lines.

    python3 scripts/plot_bench.py results.jsonl [more.jsonl ...] [--out docs/bench]

Writes:
  latency_vs_rate.png    fan-out delivery and ack latency percentiles against the offered rate,
                         one panel per database label
  throughput_vs_rate.png acked messages/s and lost messages against the offered rate
  memory_vs_conns.png    server resident memory against open idle connections
Installs matplotlib with pip when it is missing.
"""

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict


def load_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        subprocess.check_call(
            [sys.executable, "-m", "pip", "install", "--quiet", "matplotlib"]
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def read(paths):
    records = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("JSON "):
                    line = line[5:]
                if line.startswith("{"):
                    records.append(json.loads(line))
    return records


def by_label(records, scenario):
    groups = defaultdict(list)
    for r in records:
        if r.get("scenario") == scenario:
            groups[r.get("label") or "run"].append(r)
    return groups


def latency_vs_rate(plt, records, out):
    groups = by_label(records, "fanout")
    if not groups:
        return
    fig, axes = plt.subplots(
        1, len(groups), figsize=(6.5 * len(groups), 4.8), squeeze=False
    )
    for ax, (label, rs) in zip(axes[0], sorted(groups.items())):
        rs = sorted(rs, key=lambda r: r["rate_target"])
        rates = [r["rate_target"] for r in rs]
        for key, style in [
            ("p50", "o-"),
            ("p90", "s-"),
            ("p99", "^-"),
            ("p999", "v-"),
            ("max", "x:"),
        ]:
            ys = [r.get(f"delivery_{key}_ms") for r in rs]
            ax.plot(rates, ys, style, label=f"delivery {key}")
        ax.plot(
            rates, [r.get("ack_p99_ms") for r in rs], "k--", label="ack p99", alpha=0.6
        )
        scale = 2 if "postgres" in label else 1
        for y, name in [(0.5, "p50"), (2, "p99"), (10, "p99.9")]:
            ax.axhline(y * scale, color="grey", lw=0.6, ls=":")
            ax.text(rates[0], y * scale * 1.05, f"budget {name}", fontsize=7, color="grey")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("offered rate (messages/s, 10-member conversations)")
        ax.set_ylabel("send → delivery latency (ms)")
        ax.set_title(f"fan-out latency, {label}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency_vs_rate.png"), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.8))
    for label, rs in sorted(groups.items()):
        rs = sorted(rs, key=lambda r: r["rate_target"])
        rates = [r["rate_target"] for r in rs]
        ax.plot(rates, [r["acked_per_s"] for r in rs], "o-", label=f"{label}: acked/s")
    lim = max(r["rate_target"] for rs in groups.values() for r in rs)
    low = min(r["rate_target"] for rs in groups.values() for r in rs)
    ax.plot([low, lim], [low, lim], color="grey", lw=0.6, ls=":", label="offered")
    ax.axhline(15000, color="red", lw=0.6, ls="--", label="budget SQLite 15,000/s")
    ax.axhline(5000, color="orange", lw=0.6, ls="--", label="budget PostgreSQL 5,000/s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("offered rate (messages/s)")
    ax.set_ylabel("messages stored and acked per second")
    ax.set_title("fan-out throughput")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "throughput_vs_rate.png"), dpi=110)
    plt.close(fig)


def memory_vs_conns(plt, records, out):
    groups = by_label(records, "idle")
    if not groups:
        return
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for label, rs in sorted(groups.items()):
        r = max(rs, key=lambda r: r.get("connections", 0))
        pts = [
            (s["connections"], s["server_rss_kib"] / 1024)
            for s in r.get("samples", [])
            if s.get("server_rss_kib") is not None
        ]
        base = r.get("server_rss_before_kib")
        if base is not None:
            pts.insert(0, (0, base / 1024))
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=label)
        if base is not None:
            xs = [0, max(p[0] for p in pts)]
            ax.plot(
                xs,
                [base / 1024, base / 1024 + xs[1] * 8 / 1024],
                color="grey",
                ls=":",
                lw=0.8,
                label=f"budget 8 KiB/conn ({label})",
            )
    ax.set_xlabel("open idle WebSocket connections")
    ax.set_ylabel("server resident memory (MiB)")
    ax.set_title("server memory against idle connections")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "memory_vs_conns.png"), dpi=110)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--out", default="docs/bench")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    plt = load_matplotlib()
    records = read(a.files)
    latency_vs_rate(plt, records, a.out)
    memory_vs_conns(plt, records, a.out)
    print(f"plots written to {a.out}/")


if __name__ == "__main__":
    main()
