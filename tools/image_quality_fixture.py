#!/usr/bin/env python3
"""Independent PSNR/SSIM values for ImageQualityTest (numpy only).

SSIM as Wang et al. (2004): 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, data range 1, windows
clipped at the borders (each local statistic is the window-weighted mean over the pixels inside the image),
mean over channels and pixels. Computed here by zero-padded 2-D correlation divided by the correlated mask,
not by the per-pixel loop of the Java code. The inputs are the formulas ImageQualityTest uses:
a[i] = ((i * 37) % 101) / 100 and b[i] = clip(a[i] + 0.05 * sin(i), 0, 1) over a 3x8x8 CHW array.
"""
import numpy as np

C, H, W = 3, 8, 8
i = np.arange(C * H * W)
a = ((i * 37) % 101) / 100.0
b = np.clip(a + 0.05 * np.sin(i), 0, 1)
a = a.astype(np.float32).astype(np.float64).reshape(C, H, W)
b = b.astype(np.float32).astype(np.float64).reshape(C, H, W)

r = 5
g = np.exp(-(np.arange(-r, r + 1) ** 2) / (2 * 1.5 ** 2))
win = np.outer(g, g)


def corr(img):
    p = np.pad(img, r)
    out = np.zeros_like(img)
    for y in range(H):
        for x in range(W):
            out[y, x] = (p[y:y + 2 * r + 1, x:x + 2 * r + 1] * win).sum()
    return out


def ssim_plane(x, z):
    ones = corr(np.ones_like(x))
    mx, mz = corr(x) / ones, corr(z) / ones
    vx = corr(x * x) / ones - mx * mx
    vz = corr(z * z) / ones - mz * mz
    cxz = corr(x * z) / ones - mx * mz
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return ((2 * mx * mz + c1) * (2 * cxz + c2)) / ((mx * mx + mz * mz + c1) * (vx + vz + c2))


ssim = np.mean([ssim_plane(a[c], b[c]) for c in range(C)])
mse = np.mean((a - b) ** 2)
print("psnr %.12f" % (10 * np.log10(1 / mse)))
print("ssim %.12f" % ssim)
