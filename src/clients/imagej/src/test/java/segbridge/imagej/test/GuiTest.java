package segbridge.imagej.test;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.Menus;
import ij.gui.ImageCanvas;
import ij.gui.ImageWindow;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;
import ij.process.ByteProcessor;

import javax.imageio.ImageIO;
import javax.swing.SwingUtilities;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.event.MouseEvent;
import java.awt.image.BufferedImage;
import java.io.File;

import static segbridge.imagej.test.TestSupport.check;

/**
 * GUI test (run under xvfb-run): a real ImageJ with the plugin jar installed in its plugins folder. Uses
 * only the menu commands from plugins.config (IJ.run), as a user would: Start session (model dialog via
 * macro options), a multi-point click + Send selection, Click mode with a synthetic mouse click on the
 * canvas, Undo/Redo interaction. Checks the overlay and the ROI Manager, saves a screenshot of the image
 * window. The plugin classes are deliberately not on this class path (ImageJ's plugin loader owns them).
 */
public class GuiTest {
    public static void main(String[] args) throws Exception {
        int status = 1;
        try {
            run(new File(args.length > 0 ? args[0] : "imagej-screenshot.png"));
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            try { IJ.run("Stop engine"); } catch (Throwable ignored) { }
            System.exit(status);
        }
    }

    static void run(File screenshot) throws Exception {
        new ImageJ(ImageJ.EMBEDDED);
        check(Menus.getCommands().get("Start session...") != null && Menus.getCommands().get("Send selection") != null,
                "plugins.config installed Plugins>SegBridge (" + Menus.getPlugInsPath() + ")");
        TestSupport.Sample sample = TestSupport.load();
        ByteProcessor truth = sample.truth;
        int w = truth.getWidth(), h = truth.getHeight();
        ImagePlus imp = sample.image;
        imp.setTitle("segbridge-gui-test");
        imp.show();
        ImageWindow win = waitForWindow(imp);

        IJ.run(imp, "Start session...", "model=graph-cut mask=polygons");
        int[] c1 = TestSupport.nextClick(null, truth);
        imp.setRoi(new PointRoi(c1[0], c1[1]));
        IJ.run(imp, "Send selection", "");
        Overlay ov = imp.getOverlay();
        check(ov != null && ov.size() == 3, "overlay after Send selection: fill, outline, marker (" + (ov == null ? 0 : ov.size()) + ")");
        ByteProcessor m1 = fromOverlay(ov, w, h);
        double iou1 = TestSupport.iou(m1, truth);
        System.out.printf("GUI: IoU after 1 click %.3f%n", iou1);
        check(iou1 >= TestSupport.MIN_IOU, "overlay mask matches the ground truth");
        RoiManager rm = RoiManager.getInstance();
        check(rm != null && rm.getCount() == 1 && rm.getIndex("SegBridge segbridge-gui-test") == 0, "mask added to the ROI Manager");

        // click mode: a real mouse event on the canvas (shift = negative)
        IJ.run(imp, "Click mode", "");
        int[] c2 = TestSupport.nextClick(m1, truth);
        if (c2 == null) c2 = new int[] { 2, 2, 1 }; // perfect after one click: a deliberately wrong click
        ImageCanvas canvas = imp.getCanvas();
        int mods = c2[2] == 1 ? InputEvent.BUTTON1_DOWN_MASK : InputEvent.BUTTON1_DOWN_MASK | InputEvent.SHIFT_DOWN_MASK;
        MouseEvent click = new MouseEvent(canvas, MouseEvent.MOUSE_CLICKED, System.currentTimeMillis(), mods,
                canvas.screenX(c2[0]), canvas.screenY(c2[1]), 1, false, MouseEvent.BUTTON1);
        SwingUtilities.invokeAndWait(() -> canvas.dispatchEvent(click));
        long until = System.currentTimeMillis() + 60000;
        while (System.currentTimeMillis() < until && (imp.getOverlay() == null || imp.getOverlay().size() < 4)) Thread.sleep(100);
        check(imp.getOverlay().size() == 4, "Click mode: mouse click (" + c2[0] + "," + c2[1] + (c2[2] == 1 ? ",+" : ",-") + ") added a second marker");
        ByteProcessor m2 = fromOverlay(imp.getOverlay(), w, h);
        System.out.printf("GUI: IoU after 2 clicks %.3f%n", TestSupport.iou(m2, truth));
        check(TestSupport.differing(m1, m2) > 0, "second click changed the mask");
        IJ.run(imp, "Click mode", ""); // off

        IJ.run(imp, "Undo interaction", "");
        check(imp.getOverlay().size() == 3 && TestSupport.differing(fromOverlay(imp.getOverlay(), w, h), m1) == 0, "Undo interaction: overlay back to click 1");
        IJ.run(imp, "Redo interaction", "");
        check(imp.getOverlay().size() == 4 && TestSupport.differing(fromOverlay(imp.getOverlay(), w, h), m2) == 0, "Redo interaction: overlay back to click 2");

        // screenshot of the image window with its overlay
        SwingUtilities.invokeAndWait(() -> { win.toFront(); imp.updateAndDraw(); canvas.repaint(); });
        Thread.sleep(1500);
        Rectangle b = win.getBounds();
        b.setLocation(win.getLocationOnScreen());
        BufferedImage shot = new Robot().createScreenCapture(b);
        screenshot.getAbsoluteFile().getParentFile().mkdirs();
        ImageIO.write(shot, "png", screenshot);
        check(screenshot.length() > 0, "screenshot " + screenshot + " (" + b.width + "x" + b.height + ")");
        System.out.println("GuiTest: all checks passed");
    }

    private static ByteProcessor fromOverlay(Overlay ov, int w, int h) {
        Roi mask = ov.get(0); // the filled mask comes first
        ByteProcessor bp = new ByteProcessor(w, h);
        bp.setColor(255);
        bp.fill(mask);
        return bp;
    }

    private static ImageWindow waitForWindow(ImagePlus imp) throws InterruptedException {
        for (int k = 0; k < 100 && (imp.getWindow() == null || !imp.getWindow().isShowing()); k++) Thread.sleep(100);
        check(imp.getWindow() != null, "image window shown");
        return imp.getWindow();
    }
}
