package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResizeTest {

    private static Image pattern(int c, int h, int w, java.util.function.IntBinaryOperator f) {
        float[] v = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[(ch * h + y) * w + x] = f.applyAsInt(y, x);
                }
            }
        }
        return new Image(c, h, w, v);
    }

    @Test
    void constantImageStaysConstantWhenShrunkOrEnlarged() {
        Image img = new Image(3, 37, 51, new float[3 * 37 * 51]);
        Arrays.fill(img.chw(), 0.25f);
        for (Image out : new Image[] {Resize.resize(img, 32, 32), Resize.resize(img, 80, 90)}) {
            for (float v : out.chw()) {
                assertThat(v).isCloseTo(0.25f, within(1e-6f));
            }
        }
    }

    @Test
    void sameSizeIsReturnedUnchanged() {
        Image img = pattern(3, 32, 32, (y, x) -> x);
        assertThat(Resize.resize(img, 32, 32)).isSameAs(img);
        assertThat(Resize.fit(img, 32, 32, Resize.Policy.REJECT)).isSameAs(img);
    }

    @Test
    void halvingAlternatingStripesAveragesInsteadOfAliasing() {
        Image stripes = pattern(1, 8, 64, (y, x) -> x % 2);
        Image half = Resize.resize(stripes, 8, 32);
        for (int x = 1; x < 31; x++) { // the two edge columns see a truncated filter window
            assertThat(half.get(0, 4, x)).isCloseTo(0.5f, within(1e-6f));
        }
    }

    @Test
    void doublingIsBilinearBetweenPixelCentres() {
        Image img = new Image(1, 1, 2, new float[] {0f, 1f});
        // output centres at input x = 0.25, 0.75, 1.25, 1.75; edges are clamped
        assertThat(Resize.resize(img, 1, 4).chw()).containsExactly(new float[] {0f, 0.25f, 0.75f, 1f}, within(1e-6f));
    }

    @Test
    void centerCropTakesTheMiddle() {
        Image img = pattern(2, 4, 6, (y, x) -> 10 * y + x);
        Image crop = Resize.centerCrop(img, 2, 2);
        assertThat(crop.chw()).containsExactly(12, 13, 22, 23, 12, 13, 22, 23);
        assertThatThrownBy(() -> Resize.centerCrop(img, 5, 2)).isInstanceOf(DataException.class);
    }

    @Test
    void defaultPolicyCropsToSquareThenResizes() {
        Image wide = pattern(1, 32, 96, (y, x) -> x >= 32 && x < 64 ? 1 : 0);
        Image out = Resize.fit(wide, 32, 32, Resize.DEFAULT_POLICY);
        assertThat(out.chw()).containsOnly(1f);
        Image squashed = Resize.fit(wide, 32, 32, Resize.Policy.RESIZE);
        assertThat(squashed.get(0, 0, 0)).isEqualTo(0f);
    }

    @Test
    void rejectPolicyNamesTheImageAndBothSizes() {
        Image big = new Image(3, 512, 512, new float[3 * 512 * 512]);
        assertThatThrownBy(() -> Resize.fit(big, "cat.png", 32, 32, Resize.Policy.REJECT))
                .isInstanceOf(DataException.class)
                .hasMessage("image cat.png is 512×512 but the model takes 32×32; allow resizing or pass an image "
                        + "of that size");
    }
}
