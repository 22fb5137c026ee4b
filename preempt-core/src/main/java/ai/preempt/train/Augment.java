package ai.preempt.train;

import ai.preempt.engine.Rng;

/** The standard CIFAR augmentation: random crop from a 4-pixel zero-padded image, then a random horizontal flip. */
final class Augment {

    private Augment() {}

    /**
     * @param batch N×C×H×W floats, modified in place
     * @param n images in the batch
     * @param c channels
     * @param h height
     * @param w width
     * @param rng source of crop offsets and flips
     */
    static void cropAndFlip(float[] batch, int n, int c, int h, int w, Rng rng) {
        final int pad = 4;
        float[] img = new float[c * h * w];
        for (int i = 0; i < n; i++) {
            int off = i * c * h * w;
            System.arraycopy(batch, off, img, 0, img.length);
            int dy = rng.nextInt(2 * pad + 1) - pad;
            int dx = rng.nextInt(2 * pad + 1) - pad;
            boolean flip = rng.nextInt(2) == 1;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    int sy = y + dy;
                    for (int x = 0; x < w; x++) {
                        int sx = (flip ? w - 1 - x : x) + dx;
                        float v = (sy < 0 || sy >= h || sx < 0 || sx >= w) ? 0f : img[(ch * h + sy) * w + sx];
                        batch[off + (ch * h + y) * w + x] = v;
                    }
                }
            }
        }
    }
}
