package ai.preempt.pipeline;

/**
 * A target size as a pipeline string writes it: one number N (for resize: the shorter side becomes N and
 * the aspect ratio is kept, as torchvision's {@code Resize(N)}; for crop: an N×N square) or {@code HxW}.
 *
 * @param height H, or N for the one-number form
 * @param width W, or 0 for the one-number form
 */
record Size(int height, int width) {

    /** @return whether one number was given */
    boolean single() {
        return width == 0;
    }

    /** Parses {@code N} or {@code HxW}; both positive. */
    static Size parse(String key, String text) {
        String t = text.trim();
        String[] parts = t.split("[x×]", -1);
        try {
            if (parts.length == 1) {
                return new Size(positive(key, t, Integer.parseInt(parts[0].trim())), 0);
            }
            if (parts.length == 2) {
                return new Size(positive(key, t, Integer.parseInt(parts[0].trim())),
                        positive(key, t, Integer.parseInt(parts[1].trim())));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException(key + " needs a size N or HxW (e.g. " + key + "=256 or " + key
                + "=224x224), got \"" + text + "\"");
    }

    private static int positive(String key, String text, int v) {
        if (v < 1 || v > 1 << 16) {
            throw new IllegalArgumentException(key + " sizes must lie in 1..65536, got \"" + text + "\"");
        }
        return v;
    }

    /** @return N or HxW */
    @Override
    public String toString() {
        return single() ? Integer.toString(height) : height + "x" + width;
    }
}
