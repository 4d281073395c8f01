package segbridge.imagej.test;

import ij.IJ;
import ij.ImagePlus;
import ij.plugin.filter.EDM;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import java.io.File;
import java.util.Random;

/** Shared by the headless and GUI tests: test image + ground truth, IoU, and the click robot. */
final class TestSupport {
    private TestSupport() { }

    static final String GRABCUT_NAME = "124080";
    /** IoU one robot click must reach (graph-cut gives 0.928 on GrabCut 124080). */
    static final double MIN_IOU = Double.parseDouble(System.getProperty("segbridge.minIou", "0.85"));

    /** image, ground truth (0 bg, 255 fg, 128 ignore) and a description. */
    static final class Sample {
        final ImagePlus image;
        final ByteProcessor truth;
        final String source;
        Sample(ImagePlus image, ByteProcessor truth, String source) { this.image = image; this.truth = truth; this.source = source; }
    }

    /** $SEGBRIDGE_DATA, else ../shared/data beside the repository root (passed as -Dsegbridge.repo). */
    static File dataDir() {
        String env = System.getenv("SEGBRIDGE_DATA");
        if (env != null && env.length() > 0) return new File(env);
        String repo = System.getProperty("segbridge.repo", ".");
        return new File(new File(repo).getAbsoluteFile().getParentFile(), "shared/data");
    }

    static Sample load() {
        File dir = new File(dataDir(), "grabcut");
        File img = new File(dir, "images/" + GRABCUT_NAME + ".png"), mask = new File(dir, "masks/" + GRABCUT_NAME + ".png");
        if (img.isFile() && mask.isFile()) {
            ImagePlus imp = IJ.openImage(img.getPath());
            ImagePlus gt = IJ.openImage(mask.getPath());
            return new Sample(imp, gt.getProcessor().convertToByteProcessor(false), "GrabCut " + img.getPath());
        }
        System.out.println("NOTE: GrabCut data not found under " + dir + " (set SEGBRIDGE_DATA to the shared data folder);"
                + " using a synthetic image drawn by the test");
        return synthetic();
    }

    /** A bright textured ellipse on a darker noisy background, with its exact ground truth. */
    static Sample synthetic() {
        int w = 240, h = 180;
        ColorProcessor cp = new ColorProcessor(w, h);
        ByteProcessor gt = new ByteProcessor(w, h);
        Random rnd = new Random(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = (x + 0.5 - 130) / 70.0, dy = (y + 0.5 - 90) / 50.0;
                boolean in = dx * dx + dy * dy <= 1;
                int base = in ? 200 : 60;
                int v = Math.max(0, Math.min(255, base + (int) (rnd.nextGaussian() * 15)));
                cp.set(x, y, (v << 16) | ((in ? v / 2 : v) << 8) | (in ? 40 : v));
                gt.set(x, y, in ? 255 : 0);
            }
        }
        return new Sample(new ImagePlus("synthetic", cp), gt, "synthetic ellipse " + w + "x" + h);
    }

    /** IoU of a 0/255 prediction against ground truth, pixels labelled 128 ignored. */
    static double iou(ImageProcessor pred, ByteProcessor truth) {
        long inter = 0, union = 0;
        int n = truth.getWidth() * truth.getHeight();
        for (int k = 0; k < n; k++) {
            int t = truth.get(k);
            if (t == 128) continue;
            boolean p = pred.get(k) != 0, g = t > 128;
            if (p && g) inter++;
            if (p || g) union++;
        }
        return union == 0 ? 1 : (double) inter / union;
    }

    static long differing(ImageProcessor a, ImageProcessor b) {
        long d = 0;
        int n = a.getWidth() * a.getHeight();
        for (int k = 0; k < n; k++) if ((a.get(k) != 0) != (b.get(k) != 0)) d++;
        return d;
    }

    /** The robot's next click: {x, y, positive(1/0)} at the deepest point of the largest error region; null when there is no error. */
    static int[] nextClick(ImageProcessor pred, ByteProcessor truth) {
        int w = truth.getWidth(), h = truth.getHeight(), n = w * h;
        boolean[] fn = new boolean[n], fp = new boolean[n];
        long nfn = 0, nfp = 0;
        for (int k = 0; k < n; k++) {
            int t = truth.get(k);
            if (t == 128) continue;
            boolean p = pred != null && pred.get(k) != 0, g = t > 128;
            if (g && !p) { fn[k] = true; nfn++; }
            if (p && !g) { fp[k] = true; nfp++; }
        }
        if (nfn + nfp == 0) return null;
        boolean positive = nfn >= nfp;
        boolean[] err = positive ? fn : fp;
        // largest 4-connected component
        int[] label = new int[n];
        int[] stack = new int[n];
        int best = 0, bestSize = 0, next = 0;
        for (int s = 0; s < n; s++) {
            if (!err[s] || label[s] != 0) continue;
            next++;
            int size = 0, sp = 0;
            stack[sp++] = s;
            label[s] = next;
            while (sp > 0) {
                int k = stack[--sp];
                size++;
                int x = k % w, y = k / w;
                int[] nb = { x > 0 ? k - 1 : -1, x < w - 1 ? k + 1 : -1, y > 0 ? k - w : -1, y < h - 1 ? k + w : -1 };
                for (int q : nb) if (q >= 0 && err[q] && label[q] == 0) { label[q] = next; stack[sp++] = q; }
            }
            if (size > bestSize) { bestSize = size; best = next; }
        }
        ByteProcessor region = new ByteProcessor(w, h);
        for (int k = 0; k < n; k++) if (label[k] == best && best != 0) region.set(k, 255);
        FloatProcessor edm = new EDM().makeFloatEDM(region, 0, true);
        int bx = 0, by = 0;
        float bv = -1;
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            float v = edm.getf(x, y);
            if (v > bv) { bv = v; bx = x; by = y; }
        }
        return new int[] { bx, by, positive ? 1 : 0 };
    }

    static void check(boolean ok, String what) {
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) throw new AssertionError(what);
    }
}
