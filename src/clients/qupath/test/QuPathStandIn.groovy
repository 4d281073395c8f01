/*
 * A thin stand-in for exactly the QuPath API that src/clients/qupath/segbridge.groovy calls, so the script can run
 * under Debian's plain `groovy` (QuPath is not installed here). Nothing of the protocol, the slide, the coordinates
 * or the GeoJSON is faked: the script talks to the real engine; these objects only carry the selection in and
 * record what the script builds from the engine's reply.
 *
 *   QuPath (QPEx static / core class)             stand-in
 *   getCurrentImageData().getServer()             ImageData -> Server(getURIs(), getPath())
 *   getSelectedObjects()                          list of PathObject(isAnnotation, getROI, getPathClass)
 *   ROI.getRoiType / getAllPoints / getImagePlane Roi (POINT / LINE / AREA; Point2 with getX/getY)
 *   getPathClass(name)                            PathClass(name), toString() = name (as QuPath's)
 *   ROIs.createPolygonROI(xs, ys, plane)          Roi of type AREA keeping xs, ys and the plane
 *   ROI.getGeometry(), Geometry.difference/union  Geometry: records the shell rings, subtracted rings, unions
 *                                                 (JTS would compute them; here they are kept as given)
 *   GeometryTools.geometryToROI(geometry, plane)  Roi of type AREA carrying the recorded Geometry
 *   PathObjects.createAnnotationObject(roi, cls)  PathObject(annotation)
 *   addObject(pathObject)                         appends to QuPathStandIn.added
 */
class QuPathStandIn {
    static class Point2 { double x, y; double getX() { x }; double getY() { y } }
    static class PathClass { String name; String toString() { name } }
    static class ImagePlane { int c = -1, z = 0, t = 0; String toString() { "ImagePlane(z=$z,t=$t)" } }

    /** A ring as given: xs, ys (not closed). */
    static class Ring {
        double[] xs, ys
        double minX() { (xs as List).min() }; double maxX() { (xs as List).max() }
        double minY() { (ys as List).min() }; double maxY() { (ys as List).max() }
    }
    /** What JTS would hold: polygons, each a shell ring and the rings subtracted from it. */
    static class Geometry {
        List<Map> parts = []   // [shell: Ring, holes: [Ring]]
        Geometry difference(Geometry other) {
            assert other.parts.size() == 1 && other.parts[0].holes.isEmpty()
            assert parts.size() == 1 : 'the script subtracts holes before taking unions'
            new Geometry(parts: [[shell: parts[0].shell, holes: parts[0].holes + [other.parts[0].shell]]])
        }
        Geometry union(Geometry other) { new Geometry(parts: parts + other.parts) }
    }
    static class Roi {
        String type                 // POINT, LINE, AREA
        List<Point2> points = []
        ImagePlane plane
        Geometry geometry
        String getRoiType() { type }                     // QuPath: ROI.RoiType enum; the script uses toString()
        List<Point2> getAllPoints() { points }
        ImagePlane getImagePlane() { plane }
        Geometry getGeometry() { geometry }
    }
    static class PathObject {
        Roi roi; PathClass pathClass; boolean annotation = true
        boolean isAnnotation() { annotation }
        Roi getROI() { roi }
        PathClass getPathClass() { pathClass }
    }
    static class Server {
        String file
        Collection<URI> getURIs() { [new File(file).toURI()] }
        String getPath() { new File(file).toURI().toString() + '[--series, 0]' }
    }
    static class ImageData { Server server; Server getServer() { server } }

    static final ImagePlane PLANE = new ImagePlane()
    static List<PathObject> added = []

    static Roi pointRoi(List<List<Number>> pts) { new Roi(type: 'POINT', points: pts.collect { new Point2(x: it[0], y: it[1]) }, plane: PLANE) }
    static Roi lineRoi(List<List<Number>> pts) { new Roi(type: 'LINE', points: pts.collect { new Point2(x: it[0], y: it[1]) }, plane: PLANE) }
    static PathObject annotation(Roi roi, String cls = null) { new PathObject(roi: roi, pathClass: cls == null ? null : new PathClass(name: cls)) }

    /** A Binding with the QPEx functions and the core classes the script uses, for a slide file and a selection. */
    static Binding binding(String slideFile, List<PathObject> selection, Map settings) {
        added = []
        def b = new Binding()
        b.setVariable('SEGBRIDGE_SETTINGS', settings)
        b.setVariable('getCurrentImageData', { -> new ImageData(server: new Server(file: slideFile)) })
        b.setVariable('getSelectedObjects', { -> selection })
        b.setVariable('getPathClass', { String name -> new PathClass(name: name) })
        b.setVariable('addObject', { PathObject o -> added << o })
        b.setVariable('ROIs', [createPolygonROI: { double[] xs, double[] ys, ImagePlane plane ->
            new Roi(type: 'AREA', plane: plane, geometry: new Geometry(parts: [[shell: new Ring(xs: xs, ys: ys), holes: []]]))
        }])
        b.setVariable('GeometryTools', [geometryToROI: { Geometry g, ImagePlane plane -> new Roi(type: 'AREA', plane: plane, geometry: g) }])
        b.setVariable('PathObjects', [createAnnotationObject: { Roi roi, PathClass cls -> new PathObject(roi: roi, pathClass: cls) }])
        return b
    }
}
