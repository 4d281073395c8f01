// SegBridge web viewer: OpenSeadragon shows the image, the engine (over the WebSocket that served this page)
// computes masks from clicks and scribbles, and the mask is drawn as a canvas overlay in image pixels.
import { Rpc } from './rpc.js';

const $ = (id) => document.getElementById(id);
const MASK_RGBA = [0, 170, 255, 120];

// Everything the page knows, exposed for tests and the console (window.segbridgeViewer).
const state = {
  connected: false, imageId: null, sessionId: null, width: 0, height: 0,
  lastResult: null, marks: [], busy: 0, error: null,
  /** Whether the overlay shows foreground at image pixel (x, y). */
  maskAt(x, y) { return maskCanvas && maskCanvas.getContext('2d').getImageData(x, y, 1, 1).data[3] > 0; },
  /** Page (client) coordinates of image pixel (x, y), for tests that click where a user would. */
  imageToClient(x, y) {
    const p = viewer.world.getItemAt(0).imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
    const r = viewer.element.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  },
  /** Foreground pixel count of the overlay as drawn. */
  overlayCount() {
    if (!maskCanvas) return 0;
    const d = maskCanvas.getContext('2d').getImageData(0, 0, maskCanvas.width, maskCanvas.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  },
};
window.segbridgeViewer = state;

let rpc = null;
let maskCanvas = null;   // mask overlay, one canvas pixel per image pixel
let marksCanvas = null;  // clicks and scribbles
let scribble = null;     // stroke being drawn
let queue = Promise.resolve(); // interactions go to the engine one after another, in order

if (typeof OpenSeadragon === 'undefined') {
  document.body.innerHTML = '<p style="padding:1em">OpenSeadragon is missing: run <code>npm ci</code> in src/clients/web and rebuild the engine (<code>dotnet build</code>), which copies it into web/vendor.</p>';
  throw new Error('OpenSeadragon not loaded');
}

const viewer = OpenSeadragon({
  element: $('viewer'),
  showNavigationControl: false,
  gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
  maxZoomPixelRatio: 8,
  animationTime: 0.4,
});

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
  if (isError) state.error = text;
}

async function guarded(what, fn) {
  state.busy++;
  try { return await fn(); }
  catch (e) { status(`${what}: ${e.message}`, true); console.error(e); }
  finally { state.busy--; }
}

// --- connection -------------------------------------------------------------------------------------------

async function connect(token) {
  rpc?.close();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`; // only the engine that served this page
  rpc = await Rpc.connect(url, token);
  rpc.onclose = () => { state.connected = false; status('disconnected', true); };
  const init = await rpc.call('initialize', { clientName: 'segbridge-web', clientVersion: '0.1.0', protocolVersion: '1.0' });
  await loadModels();
  state.connected = true;
  status(`connected to ${init.serverName} ${init.serverVersion}`);
}

async function loadModels() {
  // Guide models (tissue, guide-hist) take no clicks or strokes: they are for slides/infer, not for this page.
  const models = (await rpc.call('models/list')).models
    .filter((m) => (m.interactions ?? []).some((i) => i === 'click' || i === 'scribble'));
  const select = $('model');
  select.replaceChildren(...models.map((m) => {
    const option = new Option(`${m.name}${m.status === 'ready' ? '' : ' (' + m.status + ')'}`, m.id);
    option.disabled = m.status !== 'ready';
    option.title = m.reason ?? m.description ?? '';
    return option;
  }));
  const firstReady = models.find((m) => m.status === 'ready');
  if (firstReady) select.value = firstReady.id;
}

// --- image and session ------------------------------------------------------------------------------------

async function openImage(params) {
  if (!rpc) throw new Error('connect first');
  const info = await rpc.call('images/open', params);
  const { png } = await rpc.call('images/png', { imageId: info.imageId });
  if (state.imageId) await rpc.call('images/close', { imageId: state.imageId }).catch(() => {});
  Object.assign(state, { imageId: info.imageId, width: info.width, height: info.height });
  await new Promise((resolve, reject) => {
    viewer.addOnceHandler('open', resolve);
    viewer.addOnceHandler('open-failed', (e) => reject(new Error(e.message)));
    viewer.open({ type: 'image', url: `data:image/png;base64,${png}` });
  });
  maskCanvas = overlayCanvas('mask');
  marksCanvas = overlayCanvas('marks');
  await newSession();
  status(`${info.name ?? info.imageId}: ${info.width}×${info.height}`);
}

function overlayCanvas(name) {
  const canvas = document.createElement('canvas');
  canvas.className = `overlay ${name}`;
  canvas.width = state.width;
  canvas.height = state.height;
  viewer.addOverlay({ element: canvas, location: new OpenSeadragon.Rect(0, 0, 1, state.height / state.width) });
  return canvas;
}

async function newSession() {
  if (!state.imageId) return;
  if (state.sessionId) await rpc.call('sessions/close', { sessionId: state.sessionId }).catch(() => {});
  const session = await rpc.call('sessions/create', { imageId: state.imageId, modelId: $('model').value });
  Object.assign(state, { sessionId: session.sessionId, lastResult: null, marks: [] });
  clear(maskCanvas);
  drawMarks();
  // Click models start from their base network's prediction (the CGAM paper's workflow): show it before any click.
  if (session.initialMask) {
    await enqueue('start', () => rpc.call('sessions/mask', { sessionId: session.sessionId, format: $('format').value }));
    status(`${$('model').value} starts from ${session.initialMask === session.modelId ? 'its own' : `${session.initialMask}'s`} prediction: click to correct it`);
  }
}

// --- interactions -----------------------------------------------------------------------------------------

function toImage(position) {
  const p = viewer.world.getItemAt(0).viewerElementToImageCoordinates(position);
  return [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10];
}

const inside = ([x, y]) => x >= 0 && y >= 0 && x < state.width && y < state.height;

function interact(mark) {
  if (!state.sessionId) return Promise.resolve();
  const body = mark.kind === 'click'
    ? { click: { x: mark.points[0][0], y: mark.points[0][1], positive: mark.positive } }
    : { scribble: { points: mark.points, positive: mark.positive } };
  state.marks.push(mark);
  drawMarks();
  return enqueue('interact', () => rpc.call('sessions/interact', { sessionId: state.sessionId, format: $('format').value, ...body }));
}

function enqueue(what, call) {
  queue = queue.then(() => guarded(what, async () => showMask(await call())));
  return queue;
}

function historyStep(method) {
  if (!state.sessionId) return Promise.resolve();
  return enqueue(method, async () => {
    const result = await rpc.call(method, { sessionId: state.sessionId, format: $('format').value });
    // The engine's journal is the truth: redraw the marks from the interactions it still applies.
    const { interactions } = await rpc.call('sessions/history', { sessionId: state.sessionId });
    state.marks = interactions.filter((r) => r.click || r.scribble).map((r) => r.click
      ? { kind: 'click', positive: r.click.positive, points: [[r.click.x, r.click.y]] }
      : { kind: 'scribble', positive: r.scribble.positive, points: r.scribble.points });
    drawMarks();
    return result;
  });
}

viewer.addHandler('canvas-press', (e) => {
  if (!e.originalEvent.altKey || !state.sessionId) return;
  scribble = { kind: 'scribble', positive: !e.originalEvent.shiftKey, points: [toImage(e.position)] };
});
viewer.addHandler('canvas-drag', (e) => {
  if (!scribble) return;
  e.preventDefaultAction = true; // draw, do not pan
  scribble.points.push(toImage(e.position));
  drawMarks(scribble);
});
viewer.addHandler('canvas-release', () => {
  if (!scribble) return;
  const stroke = scribble;
  scribble = null;
  stroke.points = stroke.points.filter(inside);
  if (stroke.points.length > 0) interact(stroke); else drawMarks();
});
viewer.addHandler('canvas-click', (e) => {
  if (!e.quick || e.originalEvent.altKey || !state.sessionId) return;
  const point = toImage(e.position);
  if (inside(point)) interact({ kind: 'click', positive: !e.originalEvent.shiftKey, points: [point] });
});
viewer.addHandler('canvas-nonprimary-press', (e) => {
  if (e.button !== 2 || !state.sessionId) return;
  const point = toImage(e.position);
  if (inside(point)) interact({ kind: 'click', positive: false, points: [point] });
});
$('viewer').addEventListener('contextmenu', (e) => e.preventDefault());

// --- drawing ----------------------------------------------------------------------------------------------

function clear(canvas) { canvas?.getContext('2d').clearRect(0, 0, canvas.width, canvas.height); }

async function showMask(result) {
  state.lastResult = { ...result, data: undefined, geometry: undefined };
  const ctx = maskCanvas.getContext('2d');
  clear(maskCanvas);
  if (result.format === 'png' && result.data) {
    const img = new Image();
    img.src = `data:image/png;base64,${result.data}`;
    await img.decode();
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, maskCanvas.width, maskCanvas.height);
    const d = pixels.data;
    for (let i = 0; i < d.length; i += 4) {
      const on = d[i] > 127;
      d[i] = MASK_RGBA[0]; d[i + 1] = MASK_RGBA[1]; d[i + 2] = MASK_RGBA[2]; d[i + 3] = on ? MASK_RGBA[3] : 0;
    }
    ctx.putImageData(pixels, 0, 0);
  } else if (result.format === 'polygons' && result.geometry) {
    ctx.fillStyle = `rgba(${MASK_RGBA.slice(0, 3).join(',')},${MASK_RGBA[3] / 255})`;
    ctx.beginPath();
    for (const polygon of result.geometry.coordinates)
      for (const ring of polygon)
        ring.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.fill('evenodd');
  }
  viewer.forceRedraw();
  const ms = Math.round(result.modelMs);
  status(`${result.interactionCount} interaction(s), ${result.foregroundPixels} px foreground, ${ms} ms${result.notes ? ' · ' + result.notes : ''}`);
}

function drawMarks(current) {
  if (!marksCanvas) return;
  const ctx = marksCanvas.getContext('2d');
  clear(marksCanvas);
  const size = Math.max(2, Math.max(state.width, state.height) / 150);
  for (const m of current ? [...state.marks, current] : state.marks) {
    ctx.strokeStyle = ctx.fillStyle = m.positive ? '#2ecc40' : '#ff4136';
    if (m.kind === 'click') {
      ctx.beginPath();
      ctx.arc(m.points[0][0], m.points[0][1], size, 0, 2 * Math.PI);
      ctx.fill();
      ctx.lineWidth = size / 3;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
    } else {
      ctx.lineWidth = size;
      ctx.lineCap = ctx.lineJoin = 'round';
      ctx.beginPath();
      m.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
      ctx.stroke();
    }
  }
}

// --- controls ---------------------------------------------------------------------------------------------

$('connect').addEventListener('submit', (e) => {
  e.preventDefault();
  guarded('connect', () => connect($('token').value.trim()));
});
$('open-path').addEventListener('submit', (e) => {
  e.preventDefault();
  guarded('open', () => openImage({ path: $('path').value.trim() }));
});
$('file').addEventListener('change', () => {
  const file = $('file').files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => guarded('open', () => openImage({ encoded: reader.result.split(',', 2)[1], name: file.name }));
  reader.readAsDataURL(file);
});
$('model').addEventListener('change', () => guarded('model', newSession));
$('undo').addEventListener('click', () => historyStep('sessions/undo'));
$('redo').addEventListener('click', () => historyStep('sessions/redo'));
$('reset').addEventListener('click', () => historyStep('sessions/reset'));
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  if ((e.ctrlKey || e.metaKey) && e.key === 'z') $(e.shiftKey ? 'redo' : 'undo').click();
});

// A token in the fragment (#token=…) never leaves the browser with a request; remove it from the address bar.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('token')) {
  $('token').value = fragment.get('token');
  history.replaceState(null, '', location.pathname + location.search);
  guarded('connect', () => connect(fragment.get('token')));
}
