package segbridge.imagej;

import ij.gui.Roi;
import ij.gui.ShapeRoi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import java.awt.geom.Path2D;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Turns an engine {@code MaskResult} into ImageJ objects: a {@link ByteProcessor} (0/255) or a
 * {@link Roi}. Polygons (GeoJSON MultiPolygon in pixel-edge coordinates, ImageJ's own convention for
 * integer polygon vertices) become a {@link ShapeRoi} filled even-odd, so holes stay holes; rle/raw/png
 * masks become a selection the way Edit&gt;Selection&gt;Create Selection does (ThresholdToSelection).
 * Pure geometry: safe in headless mode.
 */
public final class MaskToRoi {
    private MaskToRoi() { }

    /** The ROI for a mask result, or null when the mask is empty. */
    public static Roi toRoi(Map<String, Object> result) {
        if (Json.num(result, "foregroundPixels", -1) == 0) return null;
        if ("polygons".equals(result.get("format")) && result.get("geometry") != null)
            return polygonsToRoi(Json.map(result.get("geometry")));
        return maskToRoi(toProcessor(result));
    }

    /** A ShapeRoi from a GeoJSON Polygon or MultiPolygon; null when it has no rings. */
    public static Roi polygonsToRoi(Map<String, Object> geometry) {
        String type = Json.str(geometry, "type");
        List<Object> coords = Json.list(geometry.get("coordinates"));
        if (coords == null || coords.isEmpty()) return null;
        Path2D.Double path = new Path2D.Double(Path2D.WIND_EVEN_ODD);
        int rings = 0;
        if ("Polygon".equals(type)) rings += addPolygon(path, coords);
        else if ("MultiPolygon".equals(type)) for (Object poly : coords) rings += addPolygon(path, Json.list(poly));
        else throw new SegBridgeException("unsupported geometry type " + type, null);
        if (rings == 0) return null;
        return new ShapeRoi(path);
    }

    private static int addPolygon(Path2D.Double path, List<Object> rings) {
        int n = 0;
        for (Object r : rings) {
            List<Object> ring = Json.list(r);
            if (ring.size() < 3) continue;
            for (int k = 0; k < ring.size(); k++) {
                List<Object> pt = Json.list(ring.get(k));
                double x = Json.dbl(pt.get(0)), y = Json.dbl(pt.get(1));
                if (k == 0) path.moveTo(x, y); else path.lineTo(x, y);
            }
            path.closePath();
            n++;
        }
        return n;
    }

    /** Mask selection from a 0/non-zero processor (ThresholdToSelection on 255); null when empty. */
    public static Roi maskToRoi(ImageProcessor mask) {
        ByteProcessor bp = mask.convertToByteProcessor(false);
        bp.setThreshold(1, 255, ImageProcessor.NO_LUT_UPDATE);
        return new ThresholdToSelection().convert(bp);
    }

    /** Decodes format rle (COCO, column-major), raw (0/1 bytes) or polygons into a 0/255 ByteProcessor. */
    public static ByteProcessor toProcessor(Map<String, Object> result) {
        int w = (int) Json.num(result, "width", 0), h = (int) Json.num(result, "height", 0);
        String fmt = Json.str(result, "format");
        byte[] px = new byte[w * h];
        if ("rle".equals(fmt)) {
            Map<String, Object> rle = Json.map(result.get("rle"));
            List<Object> counts = Json.list(rle.get("counts"));
            int pos = 0;
            boolean fg = false;
            for (Object c : counts) {
                int n = ((Number) c).intValue();
                if (fg) {
                    for (int k = pos; k < pos + n; k++) {
                        int x = k / h, y = k % h; // column-major
                        px[y * w + x] = (byte) 255;
                    }
                }
                pos += n;
                fg = !fg;
            }
            if (pos != w * h) throw new SegBridgeException("RLE covers " + pos + " pixels, expected " + (w * h), null);
        } else if ("raw".equals(fmt)) {
            byte[] data = Base64.getDecoder().decode(Json.str(result, "data"));
            if (data.length != w * h) throw new SegBridgeException("raw mask has " + data.length + " bytes, expected " + (w * h), null);
            for (int k = 0; k < data.length; k++) px[k] = data[k] != 0 ? (byte) 255 : 0;
        } else if ("polygons".equals(fmt)) {
            Roi roi = result.get("geometry") == null ? null : polygonsToRoi(Json.map(result.get("geometry")));
            ByteProcessor bp = new ByteProcessor(w, h);
            if (roi != null) { bp.setColor(255); bp.fill(roi); }
            return bp;
        } else {
            throw new SegBridgeException("cannot decode mask format " + fmt + " (ask for rle, raw or polygons)", null);
        }
        return new ByteProcessor(w, h, px);
    }

    /** Rasterises a ROI onto a w x h 0/255 mask (what ImageJ considers inside the selection). */
    public static ByteProcessor rasterize(Roi roi, int w, int h) {
        ByteProcessor bp = new ByteProcessor(w, h);
        if (roi != null) {
            bp.setColor(255);
            bp.fill(roi);
        }
        return bp;
    }
}
