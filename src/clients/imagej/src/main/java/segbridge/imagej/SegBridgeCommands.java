package segbridge.imagej;

import ij.IJ;
import ij.ImageListener;
import ij.ImagePlus;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.ImageCanvas;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.gui.Toolbar;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.MouseListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Plugins&gt;SegBridge menu (see plugins.config). Every command is {@code run(arg)}; the protocol and
 * ROI work is in {@link SegBridgeClient}, {@link InteractiveSession} and {@link MaskToRoi}.
 * Commands accept macro options, e.g. {@code run("Start session...", "model=graph-cut mask=polygons")}.
 */
public class SegBridgeCommands implements PlugIn {
    static final String PREF_EXE = "segbridge.exe";
    static final String PREF_PIPE = "segbridge.pipe";
    static final String PREF_MODEL = "segbridge.model";
    static final String PREF_FORMAT = "segbridge.format";
    static final String[] FORMATS = { "polygons", "rle", "raw" };

    private static SegBridgeClient client;
    private static final Map<Integer, InteractiveSession> sessions = new HashMap<Integer, InteractiveSession>();
    private static final Map<Integer, MouseListener> clickModes = new HashMap<Integer, MouseListener>();
    private static final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "SegBridge clicks");
        t.setDaemon(true);
        return t;
    });
    private static boolean hooksInstalled;

    @Override
    public void run(String arg) {
        try {
            if ("connect".equals(arg)) connectDialog();
            else if ("start".equals(arg)) start();
            else if ("send".equals(arg)) send(IJ.altKeyDown());
            else if ("send-negative".equals(arg)) send(true);
            else if ("clickmode".equals(arg)) toggleClickMode();
            else if ("undo".equals(arg)) step("undo");
            else if ("redo".equals(arg)) step("redo");
            else if ("reset".equals(arg)) step("reset");
            else if ("manager".equals(arg)) addToManager(requireImage(), requireSession(requireImage()), true);
            else if ("close".equals(arg)) closeSession(requireImage());
            else if ("stop".equals(arg)) stopEngine();
            else if ("about".equals(arg)) about();
            else IJ.error("SegBridge", "unknown command " + arg);
        } catch (SegBridgeException e) {
            report(e);
        } catch (IllegalStateException e) {
            IJ.error("SegBridge", e.getMessage());
        }
    }

    static void report(SegBridgeException e) {
        IJ.log(e.describe());
        IJ.error("SegBridge", e.describe());
    }

    // ------------------------------------------------------------------ engine connection

    /** The shared engine connection, launching {@code segbridge serve --stdio} on first use. */
    static synchronized SegBridgeClient client() {
        if (client != null && client.isAlive()) return client;
        client = null;
        String pipe = Prefs.get(PREF_PIPE, "");
        if (pipe.length() > 0 && SegBridgeClient.pipeSupported()) client = SegBridgeClient.connectPipe(pipe);
        else client = SegBridgeClient.launch(SegBridgeClient.findExecutable(Prefs.get(PREF_EXE, "")));
        installHooks();
        IJ.log("SegBridge: connected (" + client.description() + ", engine "
                + Json.str(client.initializeResult(), "serverVersion") + ")");
        return client;
    }

    private static void installHooks() {
        if (hooksInstalled) return;
        hooksInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            SegBridgeClient c = client;
            if (c != null) c.close();
        }, "SegBridge shutdown"));
        ImagePlus.addImageListener(new ImageListener() {
            @Override public void imageOpened(ImagePlus imp) { }
            @Override public void imageUpdated(ImagePlus imp) { }
            @Override public void imageClosed(ImagePlus imp) {
                InteractiveSession s;
                synchronized (sessions) { s = sessions.remove(imp.getID()); clickModes.remove(imp.getID()); }
                if (s != null) worker.submit(s::close);
            }
        });
    }

    private void connectDialog() {
        GenericDialog gd = new GenericDialog("SegBridge engine");
        gd.addMessage("Launch a private engine (segbridge serve --stdio), or connect to a running\n"
                + "'segbridge serve --pipe NAME' (needs Java 16+; this is Java " + System.getProperty("java.version") + ").");
        gd.addStringField("Executable", Prefs.get(PREF_EXE, ""), 40);
        gd.addStringField("Pipe", Prefs.get(PREF_PIPE, ""), 20);
        gd.addMessage("Executable empty: system property segbridge.exe, $SEGBRIDGE_EXE, then PATH.\nPipe empty: launch over stdio.");
        gd.showDialog();
        if (gd.wasCanceled()) return;
        Prefs.set(PREF_EXE, gd.getNextString().trim());
        String pipe = gd.getNextString().trim();
        if (pipe.length() > 0 && !SegBridgeClient.pipeSupported())
            throw new SegBridgeException("pipe connections need Java 16+; leave Pipe empty to launch over stdio", null);
        Prefs.set(PREF_PIPE, pipe);
        stopEngine();
        client();
    }

    private static void stopEngine() {
        synchronized (sessions) { sessions.clear(); }
        SegBridgeClient c;
        synchronized (SegBridgeCommands.class) { c = client; client = null; }
        if (c != null) { c.close(); IJ.log("SegBridge: engine connection closed"); }
    }

    // ------------------------------------------------------------------ sessions

    private static ImagePlus requireImage() {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) throw new IllegalStateException("open an image first");
        return imp;
    }

    static InteractiveSession session(ImagePlus imp) {
        synchronized (sessions) { return sessions.get(imp.getID()); }
    }

    private static InteractiveSession requireSession(ImagePlus imp) {
        InteractiveSession s = session(imp);
        if (s == null) throw new IllegalStateException("no SegBridge session on \"" + imp.getTitle()
                + "\": run Plugins>SegBridge>Start session... first");
        return s;
    }

    private void start() {
        ImagePlus imp = requireImage();
        SegBridgeClient c = client();
        List<String> ids = c.readyModelIds();
        if (ids.isEmpty()) throw new SegBridgeException("the engine lists no ready model", null);
        GenericDialog gd = new GenericDialog("SegBridge session");
        String[] choices = ids.toArray(new String[0]);
        String dflt = Prefs.get(PREF_MODEL, choices[0]);
        gd.addChoice("Model", choices, ids.contains(dflt) ? dflt : choices[0]);
        gd.addChoice("Mask format", FORMATS, Prefs.get(PREF_FORMAT, "polygons"));
        gd.addMessage("Click: multi-point tool, then Send selection (counter 0 = positive, others negative),\n"
                + "or Click mode (point tool: click = positive, shift/alt-click = negative).\n"
                + "Scribble: draw a line (width = line width), then Send selection (alt: negative).");
        gd.showDialog();
        if (gd.wasCanceled()) return;
        String model = gd.getNextChoice();
        String format = gd.getNextChoice();
        Prefs.set(PREF_MODEL, model);
        Prefs.set(PREF_FORMAT, format);
        InteractiveSession old = session(imp);
        if (old != null) old.close();
        InteractiveSession s = new InteractiveSession(c, imp, model, format);
        synchronized (sessions) { sessions.put(imp.getID(), s); }
        IJ.log("SegBridge: session " + s.sessionId() + " on \"" + imp.getTitle() + "\" with " + model);
        if (s.initialMask() != null) {
            // Click models start from their base network's prediction: show it, the user clicks to correct it.
            s.refresh();
            show(imp, s);
            IJ.log("SegBridge: starts from " + s.initialMask() + "'s prediction; click to correct it");
        }
        IJ.showStatus("SegBridge: " + model + " session ready");
    }

    private void send(boolean negative) {
        ImagePlus imp = requireImage();
        InteractiveSession s = requireSession(imp);
        Roi sel = imp.getRoi();
        s.sendSelection(sel, negative);
        imp.deleteRoi();
        show(imp, s);
    }

    private void step(String what) {
        ImagePlus imp = requireImage();
        InteractiveSession s = requireSession(imp);
        if ("undo".equals(what)) s.undo(); else if ("redo".equals(what)) s.redo(); else s.reset();
        show(imp, s);
    }

    private void closeSession(ImagePlus imp) {
        InteractiveSession s;
        synchronized (sessions) { s = sessions.remove(imp.getID()); }
        if (s != null) s.close();
        imp.setOverlay(null);
    }

    // ------------------------------------------------------------------ click mode (mouse listener)

    private void toggleClickMode() {
        final ImagePlus imp = requireImage();
        requireSession(imp);
        ImageCanvas canvas = imp.getCanvas();
        if (canvas == null) throw new IllegalStateException("click mode needs a displayed image");
        MouseListener old;
        synchronized (sessions) { old = clickModes.remove(imp.getID()); }
        if (old != null) {
            canvas.removeMouseListener(old);
            IJ.showStatus("SegBridge click mode off");
            return;
        }
        MouseListener l = new MouseAdapter() {
            @Override public void mouseClicked(MouseEvent e) {
                if (Toolbar.getToolId() != Toolbar.POINT) return;
                ImageCanvas ic = imp.getCanvas();
                if (ic == null) return;
                final double x = ic.offScreenXD(e.getX()), y = ic.offScreenYD(e.getY());
                final boolean positive = !(e.isShiftDown() || e.isAltDown());
                worker.submit(() -> clickAt(imp, x, y, positive));
            }
        };
        canvas.addMouseListener(l);
        synchronized (sessions) { clickModes.put(imp.getID(), l); }
        IJ.setTool(Toolbar.POINT);
        IJ.showStatus("SegBridge click mode: click = positive, shift/alt-click = negative");
    }

    /** One click through the session, then the overlay; errors are reported, not thrown. */
    static void clickAt(ImagePlus imp, double x, double y, boolean positive) {
        InteractiveSession s = session(imp);
        if (s == null) return;
        try {
            s.click(x, y, positive);
            imp.deleteRoi(); // the point tool's own marker
            show(imp, s);
        } catch (SegBridgeException ex) {
            report(ex);
        }
    }

    // ------------------------------------------------------------------ display

    /** Overlay: the mask (filled, outlined) and the interaction markers; ROI Manager entry when not headless. */
    static void show(ImagePlus imp, InteractiveSession s) {
        imp.setOverlay(overlay(s));
        if (!GraphicsEnvironment.isHeadless()) addToManager(imp, s, false);
        Map<String, Object> r = s.lastResult();
        IJ.showStatus("SegBridge: " + s.interactionCount() + " interactions, " + Json.num(r, "foregroundPixels", 0)
                + " px, " + Math.round(((Number) r.get("modelMs")).doubleValue()) + " ms");
    }

    public static Overlay overlay(InteractiveSession s) {
        Overlay ov = new Overlay();
        Roi roi = s.roi();
        if (roi != null) {
            Roi fill = (Roi) roi.clone();
            fill.setStrokeColor(null);
            fill.setFillColor(new Color(0, 200, 255, 90));
            ov.add(fill);
            Roi outline = (Roi) roi.clone();
            outline.setStrokeColor(Color.yellow);
            outline.setStrokeWidth(2);
            ov.add(outline);
        }
        for (InteractiveSession.Mark m : s.marks()) {
            Color c = m.positive ? Color.green : Color.red;
            Roi mark;
            if (m.isClick()) {
                PointRoi p = new PointRoi(m.xs[0], m.ys[0]);
                p.setPointType(PointRoi.CIRCLE);
                p.setSize(4); // extra large
                mark = p;
            } else {
                mark = new PolygonRoi(m.xs, m.ys, m.xs.length, Roi.POLYLINE);
                mark.setStrokeWidth(Math.max(1, m.width));
            }
            mark.setStrokeColor(c);
            ov.add(mark);
        }
        return ov;
    }

    /** Adds the session's mask to the ROI Manager, replacing this image's previous SegBridge entry. */
    static void addToManager(ImagePlus imp, InteractiveSession s, boolean show) {
        if (GraphicsEnvironment.isHeadless() || s.roi() == null) return;
        RoiManager rm = RoiManager.getInstance();
        if (rm == null) {
            if (!show && !IJ.isMacro() && RoiManager.getInstance2() == null) rm = new RoiManager();
            else rm = RoiManager.getInstance2();
            if (rm == null) rm = new RoiManager();
        }
        Roi r = (Roi) s.roi().clone();
        String name = "SegBridge " + imp.getTitle();
        r.setName(name);
        r.setStrokeColor(Color.yellow);
        int idx = rm.getIndex(name);
        if (idx >= 0) rm.setRoi(r, idx); else rm.add(imp, r, -1);
    }

    private void about() {
        IJ.showMessage("SegBridge", "SegBridge ImageJ client " + SegBridgeClient.CLIENT_VERSION + ", protocol "
                + SegBridgeClient.PROTOCOL_VERSION + "\nJava " + System.getProperty("java.version")
                + (SegBridgeClient.pipeSupported() ? " (stdio and pipe)" : " (stdio only; pipes need Java 16+)")
                + "\nEngine: " + (client == null ? "not started" : client.description()));
    }
}
