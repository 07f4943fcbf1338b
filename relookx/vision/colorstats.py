"""Color measurements shared by the offline analyzers: dominant colors, skin, a pattern guess."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relookx.fashion.colors import delta_e, rgb_to_hex

MERGE_DISTANCE = 28.0  # RGB distance under which two clusters are one color (shading, noise)
SKIN_CHROMA = 0.07
MAX_SAMPLES = 4000


def hex_of(color: np.ndarray) -> str:
    """`#rrggbb` of an RGB vector (floats 0..255)."""
    return rgb_to_hex((float(color[0]), float(color[1]), float(color[2])))


def kmeans(pixels: np.ndarray, k: int, iters: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic k-means: centers start at luminance quantiles, so equal pixels give equal answers."""
    n = len(pixels)
    k = max(1, min(k, n))
    lum = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    order = np.argsort(lum, kind="stable")
    centers = pixels[order[((np.arange(k) + 0.5) / k * n).astype(int)]].copy()
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iters):
        dist = ((pixels[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        labels = dist.argmin(axis=1)
        new = centers.copy()
        for j in range(k):
            members = pixels[labels == j]
            if len(members):
                new[j] = members.mean(axis=0)
        if np.allclose(new, centers, atol=0.5):
            break
        centers = new
    return centers, labels


def color_clusters(pixels: np.ndarray, k: int = 3) -> list[tuple[np.ndarray, float]]:
    """(median color, share) of each distinct color, largest first; close clusters are merged."""
    if len(pixels) > MAX_SAMPLES:
        pixels = pixels[:: len(pixels) // MAX_SAMPLES + 1]
    centers, labels = kmeans(pixels, k)
    groups = list(range(len(centers)))
    for i in range(len(centers)):
        for j in range(i):
            if np.linalg.norm(centers[i] - centers[j]) < MERGE_DISTANCE:
                old, new = groups[i], groups[j]
                groups = [new if g == old else g for g in groups]
    group_of = np.array(groups)[labels]
    out = []
    for g in sorted(set(groups)):
        members = pixels[group_of == g]
        if len(members):
            out.append((np.median(members, axis=0), len(members) / len(pixels)))
    return sorted(out, key=lambda c: (-c[1], tuple(c[0])))


def looks_like_skin(color: np.ndarray) -> bool:
    """Skin of any tone is warm: red above green above blue (hair, most fabrics and shadows are not)."""
    r, g, b = (float(c) for c in color)
    return r > 45 and r >= g >= b - 8 and r - b > 10


def skin_mask(arr: np.ndarray, skin: np.ndarray | None) -> np.ndarray:
    """Pixels of `arr` (h, w, 3) with the chromaticity of the sampled skin, lit or shaded, and warm.

    Shading changes skin's brightness far more than its chromaticity (r, g shares of r+g+b), so the
    test is on chromaticity with a wide brightness range rather than on RGB distance.
    """
    if skin is None:
        return np.zeros(arr.shape[:2], dtype=bool)
    total = arr.sum(axis=2) + 1e-3
    chroma = arr[..., :2] / total[..., None]
    ref = skin[:2] / (float(skin.sum()) + 1e-3)
    close = np.linalg.norm(chroma - ref, axis=2) < SKIN_CHROMA
    lum = total / (float(skin.sum()) + 1e-3)
    warm = arr[..., 0] >= arr[..., 2] + 8
    return np.asarray(close & warm & (lum > 0.4) & (lum < 1.5))


def share_near(pixels: np.ndarray, color: np.ndarray, distance: float = 40.0) -> float:
    """The share of `pixels` within `distance` (RGB) of `color`."""
    if not len(pixels):
        return 0.0
    return float((np.linalg.norm(pixels - color, axis=1) < distance).mean())


@dataclass
class RegionColor:
    """What a garment region looks like: its main color, how much of it, and a pattern guess."""

    hex: str
    share: float
    pattern: str  # solid | striped | patterned
    second_hex: str | None
    second_share: float


def _stripes(arr: np.ndarray, mask: np.ndarray) -> bool:
    """Regular light/dark bands across rows or columns, each band fairly even within itself."""
    lum = arr @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    for axis in (1, 0):  # axis 1: a mean per row (horizontal stripes); axis 0: per column
        counts = mask.sum(axis=axis)
        lines = counts >= max(3, 0.3 * counts.max(initial=0))
        if lines.sum() < 8:
            continue
        means = np.where(counts > 0, (lum * mask).sum(axis=axis) / np.maximum(counts, 1), 0)[lines]
        profile = means - means.mean()
        if profile.std() < 12:
            continue
        crossings = int((np.diff(np.sign(profile)) != 0).sum())
        # Several alternations, and the bands explain most of the variation of the region.
        if crossings >= 4 and profile.std() ** 2 > 0.5 * float(lum[mask].var()):
            return True
    return False


def region_color(arr: np.ndarray, mask: np.ndarray) -> RegionColor | None:
    """The dominant color of the masked pixels of `arr` and a pattern guess, or None when too few pixels."""
    pixels = arr[mask]
    if len(pixels) < 12:
        return None
    clusters = color_clusters(pixels)
    color, share = clusters[0]
    second = next(((c, s) for c, s in clusters[1:] if s >= 0.15 and delta_e(hex_of(c), hex_of(color)) > 12),
                  None)
    if _stripes(arr, mask):
        pattern = "striped"
    elif share >= 0.7 or second is None:
        pattern = "solid"
    else:
        pattern = "patterned"
    return RegionColor(hex=hex_of(color), share=float(share), pattern=pattern,
                       second_hex=hex_of(second[0]) if second else None,
                       second_share=float(second[1]) if second else 0.0)


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected blob, labelled by runs per row (no scipy needed, fast on small masks)."""
    h, w = mask.shape
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    n = len(starts)
    if n == 0:
        return mask
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = np.searchsorted(rows, np.arange(h + 1)).tolist()
    s_list, e_list = starts.tolist(), ends.tolist()
    for r in range(1, h):
        i, i_end, j, j_end = first[r - 1], first[r], first[r], first[r + 1]
        while i < i_end and j < j_end:
            # Runs are [start, end); touching diagonally (start == other end) counts as connected.
            if s_list[i] <= e_list[j] and s_list[j] <= e_list[i]:
                parent[find(i)] = find(j)
            if e_list[i] < e_list[j]:
                i += 1
            else:
                j += 1
    roots = np.array([find(i) for i in range(n)])
    areas = np.bincount(roots, weights=ends - starts, minlength=n)
    keep = roots == int(areas.argmax())
    delta = np.zeros((h, w + 1), dtype=np.int32)
    np.add.at(delta, (rows[keep], starts[keep]), 1)
    np.add.at(delta, (rows[keep], ends[keep]), -1)
    return np.cumsum(delta, axis=1)[:, :w] > 0
