/*
 * SegBridge for QuPath (0.4 / 0.5): segments around the selected annotations with a SegBridge engine and
 * adds the result as a new annotation of class 'SegBridge'.
 *
 * Use: open this file in QuPath's script editor (Automate > Show script editor), set SETTINGS.exe below
 * (or the environment variable SEGBRIDGE_EXE, or put `segbridge` on PATH), open a slide, select one or more
 * annotations and Run:
 *   - point annotations become clicks: class 'Negative' -> negative, no class / 'Positive' / any other -> positive;
 *   - line and polyline annotations become scribbles (same class rule);
 *   - area annotations only widen the region.
 * The engine works on the bounding box of the selection enlarged by SETTINGS.margin (level-0 pixels), read at
 * SETTINGS.downsample or SETTINGS.mpp when one is set, else at the model's own pixel size (its manifest's pixelSizeUm,
 * never finer than the slide's; level 0 for a model without one), and returns a GeoJSON MultiPolygon in level-0 pixels
 * (holes kept), which becomes the annotation.
 *
 * Layout: everything above the line "QuPath side" is plain Groovy (process, Content-Length framing,
 * JSON-RPC 2.0, GeoJSON) and is tested without QuPath by src/clients/qupath/test.sh; the QuPath calls are the
 * few lines at the bottom. Protocol: src/SegBridge.Protocol/openrpc.json, version 1.0.
 */
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

// ---------------------------------------------------------------- settings
def SETTINGS = [
    exe        : '',           // path of the segbridge executable; '' -> $SEGBRIDGE_EXE, else `segbridge` on PATH
    model      : 'graph-cut',  // segbridge models list: graph-cut, random-walker, watershed, ...
    margin     : 512,          // level-0 pixels added on every side of the selection's bounding box
    downsample : null,         // working resolution (level-0 pixels per working pixel) ...
    mpp        : null,         // ... or microns per working pixel (wins over downsample); both null -> the model's own
    scribbleWidth : null,      // scribble width in level-0 pixels; null -> the engine's default
    tolerance  : null,         // polygon simplification tolerance; null -> the engine's default
    className  : 'SegBridge',  // class of the new annotation
]
// A caller (the test) may override settings through the binding variable SEGBRIDGE_SETTINGS.
if (binding.hasVariable('SEGBRIDGE_SETTINGS')) SETTINGS.putAll((Map) binding.getVariable('SEGBRIDGE_SETTINGS'))

// ---------------------------------------------------------------- engine client (plain Groovy)

/** A JSON-RPC 2.0 error or a transport failure, with the engine's code when there is one. */
class SegBridgeError extends RuntimeException {
    final Integer code
    SegBridgeError(String message, Integer code = null) { super(message); this.code = code }
}

/** `segbridge serve --stdio` as a child process; messages framed with `Content-Length: N\r\n\r\n` + UTF-8 JSON. */
class SegBridgeClient implements Closeable {
    final Process process
    private final InputStream input
    private final OutputStream output
    private final LinkedList<String> stderrTail = new LinkedList<String>()
    private int nextId = 1

    /** Executable: the explicit path, else $SEGBRIDGE_EXE, else `segbridge` (PATH). */
    static String resolveExe(String explicit) {
        if (explicit) return explicit
        def env = System.getenv('SEGBRIDGE_EXE')
        return env ? env : 'segbridge'
    }

    SegBridgeClient(String exe, List<String> allowRoots) {
        def cmd = [exe, 'serve', '--stdio']
        allowRoots.each { cmd << '--allow-root'; cmd << it }
        try {
            process = new ProcessBuilder(cmd).start()
        } catch (IOException e) {
            throw new SegBridgeError("cannot start ${cmd.join(' ')}: ${e.message} (set SETTINGS.exe or SEGBRIDGE_EXE)")
        }
        input = new BufferedInputStream(process.inputStream)
        output = process.outputStream
        Thread.start('segbridge-stderr') {   // keep the last few KB of stderr for error messages
            process.errorStream.eachLine('UTF-8') { line ->
                synchronized (stderrTail) { stderrTail.add(line); if (stderrTail.size() > 40) stderrTail.removeFirst() }
            }
        }
    }

    /** Sends a request and returns its result (a Map), skipping notifications; throws SegBridgeError on an error reply. */
    def call(String method, Map params = [:]) {
        int id = nextId++
        send([jsonrpc: '2.0', id: id, method: method, params: params])
        while (true) {
            def msg = receive()
            if (msg.id == null) continue                       // notification (e.g. progress)
            if (msg.id != id) throw new SegBridgeError("reply to request ${msg.id}, expected ${id}")
            if (msg.error) throw new SegBridgeError("${method}: ${msg.error.message} (${msg.error.code})", msg.error.code as Integer)
            return msg.result
        }
    }

    void send(Map message) {
        byte[] body = JsonOutput.toJson(message).getBytes('UTF-8')
        output.write("Content-Length: ${body.length}\r\n\r\n".getBytes('US-ASCII'))
        output.write(body)
        output.flush()
    }

    Map receive() {
        int length = -1
        while (true) {                                         // header lines up to the empty line
            def line = readLine()
            if (line == null) throw new SegBridgeError("engine closed the connection" + stderrText())
            if (line.isEmpty()) break
            int colon = line.indexOf(':')
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase('Content-Length')) length = line.substring(colon + 1).trim() as int
        }
        if (length < 0) throw new SegBridgeError('frame without Content-Length')
        byte[] body = new byte[length]
        int read = 0
        while (read < length) {
            int n = input.read(body, read, length - read)
            if (n < 0) throw new SegBridgeError('engine closed the connection inside a frame')
            read += n
        }
        return (Map) new JsonSlurper().parseText(new String(body, 'UTF-8'))
    }

    private String readLine() {                                // one ASCII header line, without CR LF
        def bytes = new ByteArrayOutputStream()
        while (true) {
            int b = input.read()
            if (b < 0) return bytes.size() == 0 ? null : bytes.toString('US-ASCII')
            if (b == 10) return bytes.toString('US-ASCII').replaceFirst(/\r$/, '')
            bytes.write(b)
        }
    }

    private String stderrText() {
        Thread.sleep(100)                                      // let the reader thread catch the last lines
        synchronized (stderrTail) { return stderrTail ? ': ' + stderrTail.join('\n').trim() : '' }
    }

    void close() {
        try { call('shutdown') } catch (Exception ignored) { }
        try { output.close() } catch (Exception ignored) { }
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

/** The protocol and geometry logic, free of QuPath types. */
class SegBridgeLogic {
    /** File path of a server URI ('file:/…') or of QuPath's server path string ('file:/a/b.svs[--series, 0]' or a plain path). */
    static String slidePath(List<URI> uris, String serverPath) {
        def fileUri = uris?.find { it?.scheme == 'file' }
        if (fileUri != null) return new File(fileUri).absolutePath
        if (serverPath) {
            def p = serverPath.replaceFirst(/\[.*\]$/, '').trim()
            if (p.startsWith('file:')) return new File(new URI(p)).absolutePath
            return new File(p).absolutePath
        }
        throw new SegBridgeError('the current image has no file path (SegBridge opens slides by path)')
    }

    /**
     * Interactions from simple shape descriptions [kind: 'point'|'line'|'area', points: [[x,y],…], className: String|null]
     * in level-0 pixels: points -> one click per point, lines -> one scribble. Positives first (a model needs
     * foreground before background), otherwise in selection order.
     */
    static List<Map> interactions(List<Map> shapes, Double scribbleWidth = null) {
        def list = []
        shapes.each { s ->
            boolean positive = s.className != 'Negative'
            if (s.kind == 'point') s.points.each { p -> list << [click: [x: p[0] as double, y: p[1] as double, positive: positive]] }
            else if (s.kind == 'line' && s.points.size() >= 2) {
                def scribble = [points: s.points.collect { [it[0] as double, it[1] as double] }, positive: positive]
                if (scribbleWidth != null) scribble.width = scribbleWidth
                list << [scribble: scribble]
            }
        }
        return list.findAll { positiveOf(it) } + list.findAll { !positiveOf(it) }
    }

    static boolean positiveOf(Map interaction) { (interaction.click ?: interaction.scribble).positive }

    /** Integer level-0 region: bounding box of all shape points enlarged by margin, clipped to the image. */
    static Map region(List<Map> shapes, double margin, long imageWidth, long imageHeight) {
        def pts = shapes.collectMany { it.points }
        if (pts.isEmpty()) throw new SegBridgeError('no annotation points selected')
        double x0 = pts.collect { it[0] as double }.min() - margin, y0 = pts.collect { it[1] as double }.min() - margin
        double x1 = pts.collect { it[0] as double }.max() + margin, y1 = pts.collect { it[1] as double }.max() + margin
        long ix0 = Math.max(0L, (long) Math.floor(x0)), iy0 = Math.max(0L, (long) Math.floor(y0))
        long ix1 = Math.min(imageWidth, (long) Math.ceil(x1)), iy1 = Math.min(imageHeight, (long) Math.ceil(y1))
        if (ix1 <= ix0 || iy1 <= iy0) throw new SegBridgeError('the selection lies outside the image')
        return [x: ix0, y: iy0, width: ix1 - ix0, height: iy1 - iy0]
    }

    /**
     * A GeoJSON MultiPolygon (or Polygon) -> list of polygons, each [shell: [xs, ys], holes: [[xs, ys], …]]
     * with double[] coordinates (rings closed, as GeoJSON requires; the closing point is dropped).
     */
    static List<Map> polygons(Map geometry) {
        if (geometry == null) return []
        def polys
        if (geometry.type == 'MultiPolygon') polys = geometry.coordinates
        else if (geometry.type == 'Polygon') polys = [geometry.coordinates]
        else throw new SegBridgeError("unexpected geometry type ${geometry.type}")
        def ring = { List r ->
            def pts = r.collect { [it[0] as double, it[1] as double] }
            if (pts.size() > 1 && pts[0] == pts[-1]) pts = pts[0..-2]
            if (pts.size() < 3) throw new SegBridgeError("ring with ${pts.size()} points")
            [pts.collect { it[0] } as double[], pts.collect { it[1] } as double[]]
        }
        return polys.collect { List rings -> [shell: ring(rings[0]), holes: rings.drop(1).collect { ring(it) }] }
    }

    /**
     * The whole round trip: initialize, open the slide, create a session on the region around the shapes,
     * send the interactions (polygons asked for on the last), close. Returns
     * [image:, session:, result:, polygons:] (result = the last MaskResult; polygons from its geometry).
     */
    static Map run(Map settings, String slidePath, List<Map> shapes) {
        def inter = interactions(shapes, settings.scribbleWidth as Double)
        if (inter.isEmpty()) throw new SegBridgeError('select at least one point or line annotation')
        def client = new SegBridgeClient(SegBridgeClient.resolveExe(settings.exe as String), [new File(slidePath).parentFile.absolutePath])
        try {
            def init = client.call('initialize', [clientName: 'segbridge-qupath', clientVersion: '1.0', protocolVersion: '1.0'])
            def image = client.call('images/open', [path: slidePath])
            def create = [imageId: image.imageId, modelId: settings.model,
                          region: region(shapes, settings.margin as double, image.width as long, image.height as long)]
            // No resolution sent: the engine reads the slide at the model's pixel size, as the model was trained.
            if (settings.mpp != null) create.mpp = settings.mpp as double
            else if (settings.downsample != null) create.downsample = settings.downsample as double
            def session = client.call('sessions/create', create)
            def result = null
            inter.eachWithIndex { Map it, int i ->
                def params = [sessionId: session.sessionId] + it
                if (i == inter.size() - 1) {
                    params.format = 'polygons'
                    if (settings.tolerance != null) params.tolerance = settings.tolerance as double
                } else params.format = 'rle'
                result = client.call('sessions/interact', params)
            }
            client.call('sessions/close', [sessionId: session.sessionId])
            return [server: init, image: image, session: session, result: result, polygons: polygons((Map) result.geometry)]
        } finally {
            client.close()
        }
    }
}

// ---------------------------------------------------------------- QuPath side
// Only these calls touch QuPath (QPEx static methods and core classes, imported by QuPath's script editor):
// getCurrentImageData, getSelectedObjects, getPathClass, addObject, PathObjects.createAnnotationObject,
// ROIs.createPolygonROI, ROI.getRoiType/getAllPoints/getImagePlane/getGeometry, JTS Geometry.difference/union,
// GeometryTools.geometryToROI.

def imageData = getCurrentImageData()
if (imageData == null) throw new SegBridgeError('no image is open')
def server = imageData.getServer()
def path = SegBridgeLogic.slidePath(server.getURIs()?.toList(), server.getPath())

def selected = getSelectedObjects().findAll { it.isAnnotation() && it.getROI() != null }
def shapes = selected.collect { obj ->
    def roi = obj.getROI()
    def type = roi.getRoiType().toString()            // ROI.RoiType: POINT, LINE, AREA
    [kind: type == 'POINT' ? 'point' : type == 'LINE' ? 'line' : 'area',
     points: roi.getAllPoints().collect { [it.getX(), it.getY()] },
     className: obj.getPathClass()?.toString()]
}
def plane = selected ? selected[0].getROI().getImagePlane() : null

def out = SegBridgeLogic.run(SETTINGS, path, shapes)
binding.setVariable('SEGBRIDGE_LAST', out)             // for whoever runs the script (the test reads it)
println "SegBridge: ${out.result.interactionCount} interaction(s), ${out.result.foregroundPixels} foreground pixels, " +
        "${out.polygons.size()} polygon(s), ${out.result.modelMs} ms (${SETTINGS.model}, downsample ${out.session.downsample})"
if (out.polygons.isEmpty()) {
    println 'SegBridge: empty mask, no annotation added'
} else {
    def geometry = null
    out.polygons.each { poly ->
        def g = ROIs.createPolygonROI(poly.shell[0], poly.shell[1], plane).getGeometry()
        poly.holes.each { hole -> g = g.difference(ROIs.createPolygonROI(hole[0], hole[1], plane).getGeometry()) }
        geometry = geometry == null ? g : geometry.union(g)
    }
    def annotation = PathObjects.createAnnotationObject(GeometryTools.geometryToROI(geometry, plane), getPathClass(SETTINGS.className))
    addObject(annotation)
}
