package segbridge.imagej;

import ij.ImagePlus;
import ij.gui.Line;
import ij.gui.PointRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.process.ColorProcessor;
import ij.process.FloatPolygon;
import ij.process.ImageProcessor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One engine session on one ImageJ image: sends the image's current 2-D plane as a raw array (so the
 * engine segments exactly the pixels on screen, saved or not), then clicks, scribbles, undo/redo/reset,
 * and keeps the latest mask as an ImageJ ROI. No GUI code: the headless test drives this class and
 * the plugin commands call the same methods.
 */
public class InteractiveSession {
    /** One interaction sent, for drawing markers. */
    public static final class Mark {
        public final boolean positive;
        public final float[] xs, ys;
        public final float width;
        Mark(boolean positive, float[] xs, float[] ys, float width) {
            this.positive = positive; this.xs = xs; this.ys = ys; this.width = width;
        }
        public boolean isClick() { return xs.length == 1; }
    }

    private final SegBridgeClient client;
    private final String imageId;
    private final String sessionId;
    private final String modelId;
    private final int width, height;
    private String format;
    /** The model whose prediction without interactions the session starts from (click models: their own), or null. */
    private final String initialMask;
    private Map<String, Object> lastResult;
    private Roi roi;
    private final List<Mark> marks = new ArrayList<Mark>();
    private final List<Mark> redoMarks = new ArrayList<Mark>();

    public InteractiveSession(SegBridgeClient client, ImagePlus imp, String modelId, String format) {
        this.client = client;
        this.modelId = modelId;
        this.format = format == null ? "polygons" : format;
        ImageProcessor ip = imp.getProcessor();
        this.width = ip.getWidth();
        this.height = ip.getHeight();
        Map<String, Object> info = client.call("images/open", "raw", rawArray(ip));
        this.imageId = Json.str(info, "imageId");
        try {
            Map<String, Object> created = client.call("sessions/create", "imageId", imageId, "modelId", modelId);
            this.sessionId = Json.str(created, "sessionId");
            this.initialMask = created.get("initialMask") instanceof String ? (String) created.get("initialMask") : null;
        } catch (RuntimeException e) {
            try { client.call("images/close", "imageId", imageId); } catch (RuntimeException ignored) { }
            throw e;
        }
    }

    /** The protocol's RawArray for an ImageJ processor: 8-bit, 16-bit, 32-bit grey or RGB, little-endian. */
    public static Map<String, Object> rawArray(ImageProcessor ip) {
        int w = ip.getWidth(), h = ip.getHeight(), n = w * h;
        String dtype;
        int channels;
        byte[] bytes;
        int bitDepth = ip.getBitDepth();
        if (ip instanceof ColorProcessor || bitDepth == 24) {
            int[] rgb = (int[]) ip.getPixels();
            bytes = new byte[n * 3];
            for (int k = 0; k < n; k++) {
                int c = rgb[k];
                bytes[3 * k] = (byte) (c >> 16);
                bytes[3 * k + 1] = (byte) (c >> 8);
                bytes[3 * k + 2] = (byte) c;
            }
            dtype = "uint8"; channels = 3;
        } else if (bitDepth == 8) {
            bytes = ((byte[]) ip.getPixels()).clone();
            dtype = "uint8"; channels = 1;
        } else if (bitDepth == 16) {
            ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
            b.asShortBuffer().put((short[]) ip.getPixels());
            bytes = b.array();
            dtype = "uint16"; channels = 1;
        } else {
            ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put((float[]) ip.getPixels());
            bytes = b.array();
            dtype = "float32"; channels = 1;
        }
        return Json.obj("width", w, "height", h, "channels", channels, "dtype", dtype,
                "data", Base64.getEncoder().encodeToString(bytes));
    }

    // ------------------------------------------------------------------ interactions

    /** A click in image pixel coordinates; returns the new mask ROI (null when empty). */
    public Roi click(double x, double y, boolean positive) {
        Roi r = interact("click", Json.obj("x", x, "y", y, "positive", positive));
        marks.add(new Mark(positive, new float[] { (float) x }, new float[] { (float) y }, 0));
        redoMarks.clear();
        return r;
    }

    /** A scribble through the points (at least one), brush width in pixels (<= 0: engine default). */
    public Roi scribble(float[] xs, float[] ys, boolean positive, double width) {
        List<Object> pts = new ArrayList<Object>();
        for (int k = 0; k < xs.length; k++) pts.add(new double[] { xs[k], ys[k] });
        Map<String, Object> s = Json.obj("points", pts, "positive", positive);
        if (width > 0) s.put("width", width);
        Roi r = interact("scribble", s);
        marks.add(new Mark(positive, xs.clone(), ys.clone(), (float) width));
        redoMarks.clear();
        return r;
    }

    /**
     * Sends a selection: every point of a PointRoi is a click (counter 0 positive, any other counter
     * negative; with {@code allNegative} every point is negative); a line selection (straight, segmented,
     * freehand, polyline) is a scribble with the line's width. Returns the final ROI.
     */
    public Roi sendSelection(Roi sel, boolean allNegative) {
        if (sel == null) throw new SegBridgeException("no selection: place points with the (multi-)point tool or draw a line", null);
        if (sel instanceof PointRoi) {
            PointRoi p = (PointRoi) sel;
            FloatPolygon fp = p.getFloatPolygon();
            Roi r = roi;
            for (int k = 0; k < fp.npoints; k++) {
                boolean positive = !allNegative && p.getCounter(k) == 0;
                r = click(fp.xpoints[k], fp.ypoints[k], positive);
            }
            return r;
        }
        if (sel.isLine()) {
            FloatPolygon fp = sel instanceof Line ? ((Line) sel).getFloatPoints() : sel.getFloatPolygon();
            if (sel instanceof PolygonRoi && ((PolygonRoi) sel).isSplineFit()) fp = sel.getInterpolatedPolygon(1.0, false);
            float[] xs = java.util.Arrays.copyOf(fp.xpoints, fp.npoints), ys = java.util.Arrays.copyOf(fp.ypoints, fp.npoints);
            double w = sel.getStrokeWidth();
            if (w <= 1) w = Line.getWidth();
            return scribble(xs, ys, !allNegative, w);
        }
        throw new SegBridgeException("selection type not supported: use points (clicks) or a line (scribble)", null);
    }

    private Roi interact(String kind, Map<String, Object> payload) {
        return setResult(client.call("sessions/interact", "sessionId", sessionId, kind, payload, "format", format));
    }

    public Roi undo() {
        Roi r = setResult(client.call("sessions/undo", "sessionId", sessionId, "format", format));
        if (!marks.isEmpty()) redoMarks.add(marks.remove(marks.size() - 1));
        return r;
    }

    public Roi redo() {
        Roi r = setResult(client.call("sessions/redo", "sessionId", sessionId, "format", format));
        if (!redoMarks.isEmpty()) marks.add(redoMarks.remove(redoMarks.size() - 1));
        return r;
    }

    public Roi reset() {
        Roi r = setResult(client.call("sessions/reset", "sessionId", sessionId, "format", format));
        marks.clear();
        redoMarks.clear();
        return r;
    }

    /** Fetches the current mask again (e.g. in another format). */
    public Roi refresh() {
        return setResult(client.call("sessions/mask", "sessionId", sessionId, "format", format));
    }

    private Roi setResult(Map<String, Object> result) {
        lastResult = result;
        roi = MaskToRoi.toRoi(result);
        if (roi != null) roi.setName("SegBridge " + modelId + " #" + Json.num(result, "interactionCount", 0));
        return roi;
    }

    /** Closes the engine session and image (the connection stays open). */
    public void close() {
        try { client.call("sessions/close", "sessionId", sessionId); } catch (RuntimeException ignored) { }
        try { client.call("images/close", "imageId", imageId); } catch (RuntimeException ignored) { }
    }

    // ------------------------------------------------------------------ state

    public Roi roi() { return roi; }
    public Map<String, Object> lastResult() { return lastResult; }
    public int interactionCount() { return lastResult == null ? 0 : (int) Json.num(lastResult, "interactionCount", 0); }
    public List<Mark> marks() { return marks; }
    public String sessionId() { return sessionId; }
    public String imageId() { return imageId; }
    public String modelId() { return modelId; }
    public String initialMask() { return initialMask; }
    public String format() { return format; }
    public void setFormat(String format) { this.format = format; }
    public int width() { return width; }
    public int height() { return height; }
    public SegBridgeClient client() { return client; }
}
