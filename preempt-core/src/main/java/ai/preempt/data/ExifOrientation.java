package ai.preempt.data;

/**
 * The EXIF Orientation tag (0x0112) of a JPEG file and the transform that turns the stored pixels into
 * the picture as it is meant to be seen, as browsers and PIL's {@code ImageOps.exif_transpose} do.
 *
 * <p>Values (EXIF 2.32, table of tag 0x0112; "row 0 is the visual ..., column 0 is the visual ..."):
 * 1 top/left (as stored), 2 top/right (mirror), 3 bottom/right (rotate 180°), 4 bottom/left (flip),
 * 5 left/top (transpose), 6 right/top (rotate 90° clockwise), 7 right/bottom (transverse),
 * 8 left/bottom (rotate 90° counter-clockwise). A missing, malformed or out-of-range tag counts as 1:
 * the parser only reads inside the bytes it is given, so a hostile header cannot make it fail or loop.
 */
public final class ExifOrientation {

    /** Orientation of a picture stored as it is meant to be seen. */
    public static final int NORMAL = 1;

    private static final int TAG_ORIENTATION = 0x0112;
    private static final int TYPE_SHORT = 3;

    private ExifOrientation() {}

    /**
     * @param jpeg the bytes of a JPEG file (anything else yields {@link #NORMAL})
     * @return the Orientation of the first Exif APP1 segment before the first scan, 1–8
     */
    public static int ofJpeg(byte[] jpeg) {
        int n = jpeg.length;
        if (n < 4 || u8(jpeg, 0) != 0xFF || u8(jpeg, 1) != 0xD8) {
            return NORMAL;
        }
        int i = 2;
        while (i + 4 <= n) {
            if (u8(jpeg, i) != 0xFF) {
                return NORMAL;
            }
            int marker = u8(jpeg, i + 1);
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) { // markers without a length
                i += 2;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) { // start of scan or end of image: no metadata follows
                return NORMAL;
            }
            int end = i + 2 + u16(jpeg, i + 2, false);
            if (end < i + 4 || end > n) {
                return NORMAL;
            }
            int body = i + 4;
            if (marker == 0xE1 && end - body >= 14 && isExifHeader(jpeg, body)) {
                return ofTiff(jpeg, body + 6, end);
            }
            i = end;
        }
        return NORMAL;
    }

    private static boolean isExifHeader(byte[] b, int at) {
        return b[at] == 'E' && b[at + 1] == 'x' && b[at + 2] == 'i' && b[at + 3] == 'f' && b[at + 4] == 0
                && b[at + 5] == 0;
    }

    /** Reads the Orientation from the first IFD of the TIFF structure in {@code b[base, end)}. */
    private static int ofTiff(byte[] b, int base, int end) {
        boolean little;
        if (b[base] == 'I' && b[base + 1] == 'I') {
            little = true;
        } else if (b[base] == 'M' && b[base + 1] == 'M') {
            little = false;
        } else {
            return NORMAL;
        }
        if (u16(b, base + 2, little) != 42) {
            return NORMAL;
        }
        long ifd = base + u32(b, base + 4, little);
        if (ifd < base + 8 || ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(b, (int) ifd, little);
        for (int k = 0; k < entries; k++) {
            long e = ifd + 2 + 12L * k;
            if (e + 12 > end) {
                return NORMAL;
            }
            int at = (int) e;
            if (u16(b, at, little) == TAG_ORIENTATION) {
                boolean wellFormed = u16(b, at + 2, little) == TYPE_SHORT && u32(b, at + 4, little) == 1;
                int v = u16(b, at + 8, little);
                return wellFormed && v >= 1 && v <= 8 ? v : NORMAL;
            }
        }
        return NORMAL;
    }

    /**
     * @param img the pixels as stored
     * @param orientation an EXIF Orientation, 1–8
     * @return the picture as it is meant to be seen (width and height swap for 5–8); {@code img} itself
     *     for 1
     */
    public static Image apply(Image img, int orientation) {
        if (orientation < 1 || orientation > 8) {
            throw new IllegalArgumentException("an EXIF orientation is 1 to 8, got " + orientation);
        }
        if (orientation == NORMAL) {
            return img;
        }
        int h = img.height();
        int w = img.width();
        boolean swap = orientation >= 5;
        int oh = swap ? w : h;
        int ow = swap ? h : w;
        float[] src = img.chw();
        float[] out = new float[src.length];
        int plane = h * w;
        for (int c = 0; c < img.channels(); c++) {
            int base = c * plane;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int sy;
                    int sx;
                    switch (orientation) {
                        case 2 -> { sy = y; sx = w - 1 - x; }
                        case 3 -> { sy = h - 1 - y; sx = w - 1 - x; }
                        case 4 -> { sy = h - 1 - y; sx = x; }
                        case 5 -> { sy = x; sx = y; }
                        case 6 -> { sy = h - 1 - x; sx = y; }
                        case 7 -> { sy = h - 1 - x; sx = w - 1 - y; }
                        default -> { sy = x; sx = w - 1 - y; } // 8
                    }
                    out[base + y * ow + x] = src[base + sy * w + sx];
                }
            }
        }
        return new Image(img.channels(), oh, ow, out);
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? u8(b, i) | u8(b, i + 1) << 8 : u8(b, i) << 8 | u8(b, i + 1);
    }

    private static long u32(byte[] b, int i, boolean little) {
        long lo = u16(b, little ? i : i + 2, little);
        long hi = u16(b, little ? i + 2 : i, little);
        return hi << 16 | lo;
    }
}
