package dev.vela.model;

import dev.vela.TestData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp's logits for a prompt ({@code testdata/logits/NAME.ids} and {@code NAME.f32}) and the
 * tolerances of the shared README: an absolute bound for float types, or a fraction of each row's
 * logit range plus argmax agreement (all positions but one) for quantized types.
 */
record LogitsReference(String name, int[] ids, float[][] logits) {

    static LogitsReference load(String name) throws IOException {
        Path idsFile = TestData.file("testdata/logits/" + name + ".ids");
        Path f32File = TestData.file("testdata/logits/" + name + ".f32");
        int[] ids = Arrays.stream(Files.readString(idsFile).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(f32File)).order(ByteOrder.LITTLE_ENDIAN);
        int vocab = buf.remaining() / 4 / ids.length;
        float[][] rows = new float[ids.length][vocab];
        for (float[] row : rows) {
            buf.asFloatBuffer().get(row);
            buf.position(buf.position() + vocab * 4);
        }
        return new LogitsReference(name, ids, rows);
    }

    /** Absolute tolerance on every logit. */
    void assertWithinAbsolute(List<float[]> actual, float tol) {
        List<String> bad = new ArrayList<>();
        for (int p = 0; p < ids.length; p++) {
            float worst = maxAbsDiff(logits[p], actual.get(p));
            if (!(worst <= tol)) {
                bad.add("position " + p + ": max |diff| " + worst);
            }
        }
        assertTrue(bad.isEmpty(), name + ": logits differ by more than " + tol + ": " + bad);
    }

    /** Every logit within {@code fraction} of the row's range, argmax equal at all positions but {@code argmaxMisses}. */
    void assertWithinRange(List<float[]> actual, float fraction, int argmaxMisses) {
        List<String> bad = new ArrayList<>();
        int misses = 0;
        for (int p = 0; p < ids.length; p++) {
            float[] ref = logits[p];
            float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
            for (float f : ref) {
                min = Math.min(min, f);
                max = Math.max(max, f);
            }
            float worst = maxAbsDiff(ref, actual.get(p));
            if (!(worst <= fraction * (max - min))) {
                bad.add("position " + p + ": max |diff| " + worst + " > " + fraction + " x range " + (max - min));
            }
            if (argmax(ref) != argmax(actual.get(p))) {
                misses++;
            }
        }
        assertTrue(bad.isEmpty(), name + ": " + bad);
        assertTrue(misses <= argmaxMisses, name + ": argmax differs at " + misses + " positions");
    }

    /** One row: every logit within {@code fraction} of the reference row's range. */
    void assertRowWithinRange(int position, float[] actual, float fraction) {
        float[] ref = logits[position];
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float f : ref) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        float worst = maxAbsDiff(ref, actual);
        assertTrue(worst <= fraction * (max - min), name + " position " + position + ": max |diff| " + worst
                + " > " + fraction + " x range " + (max - min));
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Float.POSITIVE_INFINITY;
        }
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            float d = Math.abs(a[i] - b[i]);
            if (!(d <= worst)) {
                worst = Float.isNaN(d) ? Float.NaN : d;
                if (Float.isNaN(d)) {
                    return d;
                }
            }
        }
        return worst;
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }
}
