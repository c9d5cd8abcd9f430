#!/usr/bin/env python3
"""Draws the app's icons (no image library needed): a switchboard-blue square with two chat bubbles.

Run from client/: python3 scripts/make-icons.py. Output is committed; rerun only to change the design.
"""
import struct
import zlib
from pathlib import Path

BLUE = (47, 91, 234)
WHITE = (255, 255, 255)
AMBER = (255, 196, 70)


def inside_round_rect(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def pixel(u, v, rounded, pad):
    """u, v in [0, 1). Returns RGBA."""
    if rounded and not inside_round_rect(u, v, 0, 0, 1, 1, 0.18):
        return (0, 0, 0, 0)
    s = lambda a: pad + a * (1 - 2 * pad)  # noqa: E731
    # bubble 1 (white) top-left, with a tail
    if inside_round_rect(u, v, s(0.14), s(0.18), s(0.70), s(0.52), 0.07 * (1 - 2 * pad)):
        return WHITE + (255,)
    if s(0.22) <= u <= s(0.34) and s(0.50) <= v <= s(0.62) and (u - s(0.22)) <= (s(0.62) - v) * 1.0:
        return WHITE + (255,)
    # bubble 2 (amber) bottom-right
    if inside_round_rect(u, v, s(0.36), s(0.50), s(0.86), s(0.80), 0.07 * (1 - 2 * pad)):
        return AMBER + (255,)
    if s(0.66) <= u <= s(0.78) and s(0.78) <= v <= s(0.90) and (s(0.78) - u) <= (s(0.90) - v):
        return AMBER + (255,)
    return BLUE + (255,) if not (pad and not rounded) else (0, 0, 0, 0)


def write_png(path, size, rounded=False, pad=0.0, background=None):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            px = pixel((x + 0.5) / size, (y + 0.5) / size, rounded, pad)
            if background and px[3] == 0:
                px = background + (255,)
            row += bytes(px)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    Path(path).write_bytes(png)


if __name__ == "__main__":
    Path("assets").mkdir(exist_ok=True)
    Path("public/icons").mkdir(parents=True, exist_ok=True)
    write_png("assets/icon.png", 512)
    write_png("assets/adaptive-icon.png", 512, pad=0.18)  # transparent, safe zone for Android masks
    write_png("assets/splash-icon.png", 256, rounded=True)
    write_png("assets/favicon.png", 48, rounded=True)
    write_png("public/icons/icon-192.png", 192, rounded=True)
    write_png("public/icons/icon-512.png", 512, rounded=True)
    write_png("public/icons/maskable-512.png", 512, pad=0.1, background=BLUE)
    write_png("public/apple-touch-icon.png", 180)
