package segbridge.imagej.test;

import ij.gui.Line;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import segbridge.imagej.InteractiveSession;
import segbridge.imagej.Json;
import segbridge.imagej.MaskToRoi;
import segbridge.imagej.SegBridgeClient;
import segbridge.imagej.SegBridgeCommands;
import segbridge.imagej.SegBridgeException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static segbridge.imagej.test.TestSupport.check;

/**
 * Headless test against the real engine: the plugin's own code path (SegBridgeClient, InteractiveSession,
 * MaskToRoi) on a GrabCut image (synthetic when the data is absent): robot clicks, ROI vs ground truth,
 * ROI vs the engine's raw mask, undo/redo, a point selection with counters, a scribble, an error code,
 * and (Java 16+) the same click over the named pipe, found by its name, plus the pipe checks: a path that is
 * not a socket and (as root) a socket owned by another user are refused before anything is sent.
 * Run: java -Djava.awt.headless=true -cp ij.jar:segbridge_imagej.jar:test-classes segbridge.imagej.test.HeadlessTest
 */
public class HeadlessTest {
    static final double MIN_IOU = TestSupport.MIN_IOU;

    public static void main(String[] args) throws Exception {
        String exe = SegBridgeClient.findExecutable(null);
        TestSupport.Sample sample = TestSupport.load();
        int w = sample.truth.getWidth(), h = sample.truth.getHeight();
        System.out.println("engine " + exe + "\nimage  " + sample.source + " (" + w + "x" + h + ")");
        check(Json.write(Json.parse("{\"a\":[1,2.5,\"x\\u00e9\\n\",true,null]}")).equals("{\"a\":[1,2.5,\"x\u00e9\\n\",true,null]}"), "JSON round trip");

        SegBridgeClient client = SegBridgeClient.launch(exe);
        try {
            // The engine answers with its own version; a client of the same major version (1.1 here) is served unchanged.
            String engineVersion = Json.str(client.initializeResult(), "protocolVersion");
            String major = SegBridgeClient.PROTOCOL_VERSION.substring(0, SegBridgeClient.PROTOCOL_VERSION.indexOf('.') + 1);
            check(engineVersion != null && engineVersion.startsWith(major), "initialize: engine protocol " + engineVersion + " for a " + SegBridgeClient.PROTOCOL_VERSION + " client");
            check(client.readyModelIds().contains("graph-cut"), "models/list has graph-cut: " + client.readyModelIds());

            // unknown model -> JSON-RPC error 2001, shown with its code
            try {
                new InteractiveSession(client, sample.image, "no-such-model", "polygons");
                check(false, "unknown model must fail");
            } catch (SegBridgeException e) {
                check(e.code == 2001 && e.describe().contains("2001"), "unknown model -> " + e.describe());
            }

            InteractiveSession s = new InteractiveSession(client, sample.image, "graph-cut", "polygons");
            // robot click 1: deepest point of the object
            int[] c1 = TestSupport.nextClick(null, sample.truth);
            Roi roi1 = s.click(c1[0], c1[1], c1[2] == 1);
            check(roi1 != null, "click 1 at (" + c1[0] + "," + c1[1] + ") gives a ROI: " + (roi1 == null ? null : roi1.getTypeAsString() + " " + roi1.getBounds()));
            ByteProcessor m1 = MaskToRoi.rasterize(roi1, w, h);
            double iou1 = TestSupport.iou(m1, sample.truth);
            System.out.printf("IoU after 1 click: %.3f (threshold %.2f)%n", iou1, MIN_IOU);
            check(iou1 >= MIN_IOU, "IoU of the ROI against ground truth >= " + MIN_IOU);

            // the polygon ROI covers exactly the engine's raw and RLE masks
            Map<String, Object> raw = client.call("sessions/mask", "sessionId", s.sessionId(), "format", "raw");
            check(TestSupport.differing(m1, MaskToRoi.toProcessor(raw)) == 0, "polygon ROI == raw mask, pixel for pixel");
            Map<String, Object> rle = client.call("sessions/mask", "sessionId", s.sessionId(), "format", "rle");
            ByteProcessor fromRleRoi = MaskToRoi.rasterize(MaskToRoi.toRoi(rle), w, h);
            check(TestSupport.differing(fromRleRoi, m1) == 0, "RLE -> ThresholdToSelection ROI == polygon ROI");

            // robot click 2 changes the mask; undo brings ROI 1 back, redo ROI 2
            int[] c2 = TestSupport.nextClick(m1, sample.truth);
            if (c2 == null) c2 = new int[] { 2, 2, 1 }; // perfect after one click: a deliberately wrong click, so undo has work
            Roi roi2 = s.click(c2[0], c2[1], c2[2] == 1);
            ByteProcessor m2 = MaskToRoi.rasterize(roi2, w, h);
            System.out.printf("click 2 at (%d,%d) %s: IoU %.3f, %d pixels changed%n", c2[0], c2[1], c2[2] == 1 ? "positive" : "negative",
                    TestSupport.iou(m2, sample.truth), TestSupport.differing(m1, m2));
            check(TestSupport.differing(m1, m2) > 0, "click 2 changes the ROI");
            Roi undone = s.undo();
            check(s.interactionCount() == 1 && TestSupport.differing(MaskToRoi.rasterize(undone, w, h), m1) == 0, "undo restores the ROI of click 1");
            Roi redone = s.redo();
            check(s.interactionCount() == 2 && TestSupport.differing(MaskToRoi.rasterize(redone, w, h), m2) == 0, "redo restores the ROI of click 2");
            Overlay ov = SegBridgeCommands.overlay(s);
            check(ov.size() == 4, "overlay: mask fill + outline + 2 click markers (" + ov.size() + ")");

            // reset, then the selection path the menu command uses: a multi-point ROI (counter 0 positive)
            s.reset();
            check(s.interactionCount() == 0 && s.roi() == null, "reset empties the session");
            PointRoi points = new PointRoi(c1[0], c1[1]);
            Roi fromPoints = s.sendSelection(points, false);
            check(TestSupport.differing(MaskToRoi.rasterize(fromPoints, w, h), m1) == 0, "Send selection with a point == click 1");
            s.undo();

            // a positive scribble: a short freehand line through the click point, width 3
            PolygonRoi line = new PolygonRoi(new float[] { c1[0] - 8, c1[0], c1[0] + 8 }, new float[] { c1[1], c1[1] + 2, c1[1] }, 3, Roi.FREELINE);
            line.setStrokeWidth(3);
            Roi scr = s.sendSelection(line, false);
            double iouS = TestSupport.iou(MaskToRoi.rasterize(scr, w, h), sample.truth);
            System.out.printf("scribble: IoU %.3f%n", iouS);
            check(scr != null && iouS > 0.5, "scribble gives a ROI overlapping the object");
            s.close();

            // format raw through the session
            InteractiveSession sr = new InteractiveSession(client, sample.image, "graph-cut", "raw");
            Roi rr = sr.click(c1[0], c1[1], true);
            check(TestSupport.differing(MaskToRoi.rasterize(rr, w, h), m1) == 0, "format raw: same ROI as polygons");
            sr.close();

            // A click model starts from its base network's prediction; an empty-start model has none.
            InteractiveSession sc = new InteractiveSession(client, sample.image, "click-hist-cgam", "raw");
            check("click-hist-cgam".equals(sc.initialMask()), "click model session starts from its own prediction");
            sc.refresh();
            check(sc.interactionCount() == 0 && sc.lastResult() != null, "start mask is there before any click");
            sc.close();
            check(sr.initialMask() == null, "graph-cut starts from an empty mask");
        } finally {
            client.close();
        }

        if (SegBridgeClient.pipeSupported()) { pipeTest(exe, sample, c1(sample)); PipeRefusalTest.run(); }
        else System.out.println("skip pipe test: Java " + System.getProperty("java.version") + " has no Unix domain sockets (needs 16+)");
        System.out.println("HeadlessTest: all checks passed");
    }

    private static int[] c1(TestSupport.Sample sample) { return TestSupport.nextClick(null, sample.truth); }

    /** Starts `segbridge serve --pipe NAME`, checks its ready line names the path the client finds, connects, clicks. */
    static void pipeTest(String exe, TestSupport.Sample sample, int[] c) throws Exception {
        String name = "sbij-test-" + System.nanoTime();
        String path = SegBridgeClient.pipePath(name);
        Process p = new ProcessBuilder(exe, "serve", "--pipe", name, "--no-journal").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = r.readLine();
            check(ready != null && Json.str(Json.map(Json.parse(ready)), "path").equals(path), "pipe server ready: " + ready);
            SegBridgeClient pc = SegBridgeClient.connectPipe(name);
            try {
                check(pc.call("ping") != null, "ping over the pipe (" + pc.description() + ")");
                InteractiveSession s = new InteractiveSession(pc, sample.image, "graph-cut", "polygons");
                Roi roi = s.click(c[0], c[1], true);
                double iou = TestSupport.iou(MaskToRoi.rasterize(roi, sample.truth.getWidth(), sample.truth.getHeight()), sample.truth);
                System.out.printf("pipe click IoU %.3f%n", iou);
                check(iou >= MIN_IOU, "click over the pipe gives the same quality of ROI");
                s.close();
            } finally {
                pc.close();
            }
        } finally {
            p.destroy(); // SIGTERM: the server removes its socket
            p.waitFor();
        }
    }
}
