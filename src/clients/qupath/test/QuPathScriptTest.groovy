/*
 * Runs src/clients/qupath/segbridge.groovy, unchanged, against the REAL engine (`segbridge serve --stdio`) on a
 * pyramidal TIFF built by test.sh with vips: 2000×1500 white, a red rectangle x 200..800, y 300..900 (level 0) with
 * a white square hole x 560..680, y 660..780. Only the QuPath objects are a stand-in (QuPathStandIn.groovy).
 *
 * Usage: groovy -cp test test/QuPathScriptTest.groovy SLIDE.tif   (engine: $SEGBRIDGE_EXE, else PATH)
 */
import static QuPathStandIn.*

def slide = args ? args[0] : null
assert slide && new File(slide).isFile() : 'usage: QuPathScriptTest.groovy SLIDE.tif'
def script = new File(new File(getClass().protectionDomain.codeSource.location.toURI()).parentFile.parentFile, 'segbridge.groovy')
if (!script.isFile()) script = new File(System.getProperty('segbridge.script', 'src/clients/qupath/segbridge.groovy'))
assert script.isFile() : "segbridge.groovy not found"

final RED = [x0: 200, y0: 300, x1: 800, y1: 900], HOLE = [x0: 560, y0: 660, x1: 680, y1: 780]
final double TOL = 6   // 2 working pixels at downsample 2, plus JPEG edges (as the engine's own slide test)
final SETTINGS = [model: 'graph-cut', margin: 512, downsample: 2.0]
int checks = 0
def check = { boolean ok, String what -> assert ok : what; checks++ }
def near = { double a, double b -> Math.abs(a - b) <= TOL }

def runScript = { List selection, Map settings = SETTINGS ->
    def binding = QuPathStandIn.binding(slide, selection, settings)
    long t0 = System.nanoTime()
    new GroovyShell(binding).evaluate(script)
    println String.format('  script ran in %.2f s', (System.nanoTime() - t0) / 1e9)
    return binding.getVariable('SEGBRIDGE_LAST')
}
def bounds = { ring -> [x0: ring.minX(), y0: ring.minY(), x1: ring.maxX(), y1: ring.maxY()] }
def matches = { Map b, Map expected -> ['x0', 'y0', 'x1', 'y1'].every { near(b[it] as double, expected[it] as double) } }

// ---- 1. one positive point (no class) inside the rectangle -> polygon = rectangle, hole kept, level-0 coordinates
println '1. positive point -> polygon with hole'
def out = runScript([annotation(pointRoi([[400, 500]]))])
check(QuPathStandIn.added.size() == 1, "one annotation added, got ${QuPathStandIn.added.size()}")
def ann = QuPathStandIn.added[0]
check(ann.pathClass.toString() == 'SegBridge', "class SegBridge, got ${ann.pathClass}")
check(ann.roi.type == 'AREA' && ann.roi.plane.is(QuPathStandIn.PLANE), 'area ROI on the selection\'s plane')
check(out.image.slide != null && out.image.width == 2000 && out.image.height == 1500, "opened as a 2000x1500 slide: ${out.image.slide}")
check(out.session.downsample == 2.0 && out.session.originX == 0 && out.session.originY == 0, "session at downsample 2 from (0,0): ${out.session}")
check(out.session.width == 456 && out.session.height == 506, "region 912x1012 level-0 -> 456x506 working, got ${out.session.width}x${out.session.height}")
def parts = ann.roi.geometry.parts
def biggest = parts.max { p -> (p.shell.maxX() - p.shell.minX()) * (p.shell.maxY() - p.shell.minY()) }
def b = bounds(biggest.shell)
println "  ${parts.size()} polygon(s); outer bounds ${b}; red ${RED}"
check(matches(b, RED), "outer ring bounds ${b} match the red rectangle ${RED} within ${TOL} px")
check(biggest.holes.size() == 1, "one hole, got ${biggest.holes.size()}")
def hb = bounds(biggest.holes[0])
println "  hole bounds ${hb}; drawn ${HOLE}"
check(matches(hb, HOLE), "hole bounds ${hb} match ${HOLE} within ${TOL} px")
check(out.result.interactionCount == 1 && out.result.format == 'polygons', "1 interaction, polygons: ${out.result.interactionCount} ${out.result.format}")

// ---- 2. negative point (class 'Negative', on white) + positive polyline scribble ('Positive') -> same rectangle
println '2. negative point + positive scribble'
out = runScript([annotation(pointRoi([[120, 1000]]), 'Negative'),
                 annotation(lineRoi([[300, 400], [700, 420], [720, 600]]), 'Positive')])
check(QuPathStandIn.added.size() == 1, 'one annotation added')
check(out.result.interactionCount == 2, "2 interactions, got ${out.result.interactionCount}")
check(out.session.originX == 0 && out.session.originY == 0 && out.session.width == (1232 / 2) && out.session.height == 750,
      "region (0,0) 1232x1500 at downsample 2: ${out.session}")
parts = QuPathStandIn.added[0].roi.geometry.parts
biggest = parts.max { p -> (p.shell.maxX() - p.shell.minX()) * (p.shell.maxY() - p.shell.minY()) }
b = bounds(biggest.shell)
println "  ${parts.size()} polygon(s); outer bounds ${b}"
check(matches(b, RED), "outer ring bounds ${b} match the red rectangle within ${TOL} px")
check(parts.every { p -> p.shell.xs.every { it >= RED.x0 - TOL && it <= RED.x1 + TOL } && p.shell.ys.every { it >= RED.y0 - TOL && it <= RED.y1 + TOL } },
      'no polygon outside the rectangle (the negative point is background)')

// ---- 3. an unknown model: the engine's JSON-RPC error (2001) comes back as SegBridgeError, nothing is added
println '3. engine errors reach the script'
try {
    runScript([annotation(pointRoi([[400, 500]]))], SETTINGS + [model: 'no-such-model'])
    check(false, 'unknown model must fail')
} catch (Exception e) {
    check(e.class.name == 'SegBridgeError' && e.message.contains('2001'), "unknown model -> 2001, got ${e.class.name}: ${e.message}")
    check(QuPathStandIn.added.isEmpty(), 'nothing added on error')
}

// ---- 3b. no resolution in the settings: the script sends none and the engine picks the model's (graph-cut states no
// pixel size and the test slide none either, so level 0), instead of the old fixed downsample 2
println '3b. no resolution set -> the engine chooses'
out = runScript([annotation(pointRoi([[400, 500]]))], SETTINGS + [downsample: null])
check(out.session.downsample == 1.0 && out.session.width == 912 && out.session.height == 1012,
      "no resolution sent -> level 0, region 912x1012: ${out.session}")
b = bounds(QuPathStandIn.added[0].roi.geometry.parts.max { p -> (p.shell.maxX() - p.shell.minX()) * (p.shell.maxY() - p.shell.minY()) }.shell)
check(matches(b, RED), "outer ring bounds ${b} match the red rectangle at level 0")

// ---- 4. pure logic (no engine): server path forms, class rule, GeoJSON rings
println '4. path, class rule and GeoJSON parsing'
def shell = new GroovyShell(QuPathStandIn.binding(slide, [], SETTINGS))
def logic = shell.evaluate(script.text.replaceFirst(/(?s)\/\/ -{10,} QuPath side.*/, '') + '\nSegBridgeLogic')
check(logic.slidePath([], 'file:/data/slides/a%20b.svs[--series, 0]') == '/data/slides/a b.svs', 'path from getPath() with series suffix')
check(logic.slidePath([new URI('file:/x/y.tif')], null) == '/x/y.tif', 'path from getURIs()')
def inter = logic.interactions([[kind: 'point', points: [[1, 2]], className: 'Negative'], [kind: 'point', points: [[3, 4], [5, 6]], className: 'Positive'],
                                [kind: 'line', points: [[0, 0], [9, 9]], className: null], [kind: 'area', points: [[0, 0], [1, 1], [0, 1]], className: null]])
check(inter.collect { it.click ? "c${it.click.positive ? '+' : '-'}" : "s${it.scribble.positive ? '+' : '-'}" } == ['c+', 'c+', 's+', 'c-'], "positives first, areas skipped: ${inter}")
def polys = logic.polygons([type: 'MultiPolygon', coordinates: [[[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [1, 2], [2, 2], [1, 1]]]]])
check(polys.size() == 1 && polys[0].shell[0] as List == [0d, 4d, 4d, 0d] && polys[0].holes.size() == 1 && polys[0].holes[0][1] as List == [1d, 2d, 2d],
      "GeoJSON rings parsed, closing point dropped: ${polys}")

println "OK: ${checks} checks"
