"""Integration tests against the REAL engine executable (skipped when it is not built).

Engine: $SEGBRIDGE_EXE, else <repo>/src/SegBridge.Host/bin/{Release,Debug}/net10.0/segbridge.
Data:   $SEGBRIDGE_DATA/grabcut/images (default <repo>/../shared/data).
"""

import os
import subprocess
import threading
import time
import uuid

import numpy as np
import pytest

import segbridge
from conftest import data_root, engine_args
from segbridge import Engine, PipeServer
from segbridge.codecs import png_decode

CLASSICAL = ("random-walker", "watershed", "graph-cut")
FORMATS = ("rle", "png", "raw", "polygons")


@pytest.fixture(scope="module")
def engine(segbridge_exe):
    with Engine.launch(segbridge_exe, args=engine_args(), timeout=60) as e:
        yield e


def synthetic(h=96, w=128):
    """A bright disc on a dark noisy background (uint8 RGB)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:h, :w]
    disc = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (min(h, w) / 4) ** 2
    grey = np.where(disc, 200, 40) + rng.integers(-10, 10, size=(h, w))
    img = np.clip(grey, 0, 255).astype(np.uint8)
    return np.stack([img, img, img], axis=2), disc


def ready_model(engine, model_id):
    models = {m["id"]: m for m in engine.list_models()["models"]}
    if model_id not in models:
        pytest.fail(f"model {model_id!r} not registered; have {sorted(models)}")
    if models[model_id]["status"] != "ready":
        pytest.skip(f"model {model_id} unavailable: {models[model_id].get('reason')}")
    return models[model_id]


def test_initialize_result(engine):
    r = engine.initialize_result
    assert r["protocolVersion"].split(".")[0] == "1"
    caps = r["capabilities"]
    assert set(FORMATS) <= set(caps["maskFormats"])
    assert {"click", "scribble", "labels", "box"} <= set(caps["interactions"])
    assert "stdio" in caps["transports"]
    assert isinstance(r["models"], list)
    assert engine.ping()["serverTimeUtc"]


def test_list_and_describe_models(engine):
    listing = engine.list_models()
    ids = [m["id"] for m in listing["models"]]
    for mid in CLASSICAL:
        assert mid in ids, f"{mid} missing from {ids}; manifest errors: {listing['manifestErrors']}"
    assert isinstance(listing["manifestErrors"], list)
    d = engine.describe_model("random-walker")
    assert d["model"]["id"] == "random-walker"
    assert isinstance(d["parameters"], dict)


def test_unknown_model_is_2001(engine):
    with pytest.raises(segbridge.UnknownModelError) as info:
        engine.describe_model("no-such-model-" + uuid.uuid4().hex[:6])
    assert info.value.code == 2001
    img = engine.open_image(synthetic()[0])
    with pytest.raises(segbridge.SegBridgeError) as info:
        engine.create_session(img, "no-such-model")
    assert info.value.code == 2001


def test_unknown_session_is_4001(engine):
    class Ghost(segbridge.Session):
        pass
    ghost = Ghost(engine, {"sessionId": "does-not-exist", "width": 4, "height": 4})
    with pytest.raises(segbridge.UnknownSessionError) as info:
        ghost.mask()
    assert info.value.code == 4001
    with pytest.raises(segbridge.SegBridgeError) as info:
        ghost.click(1, 1)
    assert info.value.code == 4001


def test_not_initialized_is_1001(segbridge_exe):
    with Engine.launch(segbridge_exe, args=engine_args(), timeout=60, initialize=False) as e:
        assert e.ping()["serverTimeUtc"]  # ping is allowed before initialize
        with pytest.raises(segbridge.NotInitializedError) as info:
            e.list_models()
        assert info.value.code == 1001
        e.initialize()
        assert e.list_models()["models"]


def test_real_image_session_full_cycle(engine, grabcut_image):
    ready_model(engine, "random-walker")
    img = engine.open_image(grabcut_image)
    assert img.width > 0 and img.height > 0
    s = engine.create_session(img, "random-walker")
    h, w = img.height, img.width
    r1 = s.click(w // 2, h // 2)
    assert r1.mask.shape == (h, w) and r1.interaction_count == 1
    assert r1.mask.sum() == r1.foreground_pixels > 0
    r2 = s.scribble([[5, 5], [w - 6, 5], [w - 6, h - 6]], positive=False, width=5)
    assert r2.interaction_count == 2
    assert not r2.mask[5, 5]  # on the background stroke
    labels = np.zeros((h, w), np.uint8)
    labels[h // 2 - 3:h // 2 + 3, w // 2 - 3:w // 2 + 3] = 1
    labels[:3, :] = 2
    r3 = s.labels(labels)
    assert r3.interaction_count == 3
    hist = s.history()
    assert [i["type"] for i in hist["interactions"]] == ["click", "scribble", "labels"]
    u = s.undo()
    assert u.interaction_count == 2
    np.testing.assert_array_equal(u.mask, r2.mask)
    assert [i["type"] for i in s.history()["redoable"]] == ["labels"]
    rr = s.redo()
    assert rr.interaction_count == 3
    np.testing.assert_array_equal(rr.mask, r3.mask)
    z = s.reset()
    assert z.interaction_count == 0 and z.mask.sum() == 0 and z.bbox is None
    s.close()
    with pytest.raises(segbridge.UnknownSessionError):
        s.mask()


def test_every_mask_format_agrees(engine):
    ready_model(engine, "random-walker")
    arr, disc = synthetic()
    img = engine.open_image(arr, name="disc")
    assert (img.width, img.height, img.channels) == (128, 96, 3) or (img.width, img.height) == (128, 96)
    s = engine.create_session(img, "random-walker", format="raw")
    s.click(64, 48)
    s.click(3, 3, positive=False)
    masks = {}
    for fmt in FORMATS:
        r = s.mask(format=fmt)
        assert r.format == fmt and (r.width, r.height) == (128, 96)
        masks[fmt] = r
    ref = masks["raw"].mask
    assert ref.sum() == masks["raw"].foreground_pixels > 0
    np.testing.assert_array_equal(masks["rle"].mask, ref)
    np.testing.assert_array_equal(masks["png"].mask, ref)
    assert masks["polygons"].geometry["type"] == "MultiPolygon"
    np.testing.assert_array_equal(masks["polygons"].mask, ref)  # tolerance 0: exact pixel edges
    png = png_decode(__import__("base64").b64decode(masks["png"].raw["data"]))
    assert set(np.unique(png).tolist()) <= {0, 255}
    # the disc should be found reasonably well
    iou = (ref & disc).sum() / (ref | disc).sum()
    assert iou > 0.7, iou
    bx, by, bw, bh = masks["raw"].bbox
    ys, xs = np.nonzero(ref)
    assert (bx, by, bw, bh) == (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    s.close()


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32"])
def test_numpy_dtypes_and_grey(engine, dtype):
    arr, _ = synthetic(40, 50)
    grey = arr[:, :, 0].astype(dtype)
    if dtype == "float32":
        grey = grey / 255.0
    img = engine.open_image(grey)
    assert (img.width, img.height) == (50, 40)


@pytest.mark.parametrize("model_id", CLASSICAL)
def test_each_classical_model_runs(engine, model_id):
    ready_model(engine, model_id)
    arr, disc = synthetic()
    s = engine.create_session(engine.open_image(arr), model_id)
    s.scribble([[54, 48], [74, 48]])
    r = s.scribble([[2, 2], [125, 2], [125, 93], [2, 93], [2, 2]], positive=False)
    assert r.mask.any() and not r.mask.all()
    assert r.model_ms >= 0
    s.close()


def test_invalid_interactions(engine):
    ready_model(engine, "random-walker")
    s = engine.create_session(engine.open_image(synthetic()[0]), "random-walker")
    with pytest.raises(segbridge.InvalidInteractionError) as info:
        s.click(10_000, 5)
    assert info.value.code == 4002
    with pytest.raises(segbridge.SegBridgeError) as info:
        s.click(-5, -5)
    assert info.value.code == 4002
    with pytest.raises(segbridge.NothingToUndoError) as info:
        s.undo()
    assert info.value.code == 4003
    with pytest.raises(segbridge.NothingToRedoError) as info:
        s.redo()
    assert info.value.code == 4004
    with pytest.raises(segbridge.SegBridgeError) as info:
        s.mask(format="jpeg")
    assert info.value.code in (1003, -32602)
    s.close()


def test_image_errors(engine, tmp_path):
    with pytest.raises(segbridge.SegBridgeError) as info:
        engine.open_image(tmp_path / "missing.png")
    assert info.value.code in (3002, 3004)
    with pytest.raises(segbridge.SegBridgeError) as info:
        engine.open_image(b"definitely not an image")
    assert info.value.code == 3002
    with pytest.raises(segbridge.SegBridgeError) as info:
        engine.create_session("no-such-image", "random-walker")
    assert info.value.code == 3001


def test_concurrent_calls_one_stdio_engine(engine):
    ready_model(engine, "random-walker")
    arr, _ = synthetic()
    img = engine.open_image(arr)
    errors = []

    def work(k):
        try:
            s = engine.create_session(img, "random-walker")
            for i in range(3):
                r = s.click(40 + k * 5 + i, 48)
                assert r.interaction_count == i + 1
            for _ in range(20):
                engine.ping()
            s.close()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


def test_close_makes_stdio_engine_exit(segbridge_exe):
    e = Engine.launch(segbridge_exe, args=engine_args(), timeout=60)
    proc = e.process
    rc = e.close()
    assert rc == 0 and proc.poll() == 0


def test_pipe_two_clients_concurrently(segbridge_exe):
    name = f"sbpy-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    with PipeServer.start(name, executable=segbridge_exe, args=engine_args(), timeout=60) as server:
        assert server.name == name
        assert server.path == segbridge.pipe_path(name)
        assert server.pid == server.process.pid
        a = Engine.connect(name, timeout=60)
        b = Engine.connect(server.path, timeout=60)
        try:
            assert "pipe" in a.initialize_result["capabilities"]["transports"]
            ready_model(a, "random-walker")
            arr, disc = synthetic()
            results, errors = {}, []

            def work(engine, tag, x):
                try:
                    s = engine.create_session(engine.open_image(arr), "random-walker")
                    s.click(x, 48)
                    r = s.click(3, 3, positive=False)
                    for _ in range(50):
                        engine.ping()
                    results[tag] = (s, r)
                except Exception as e:  # pragma: no cover
                    errors.append(e)

            ta = threading.Thread(target=work, args=(a, "a", 60))
            tb = threading.Thread(target=work, args=(b, "b", 68))
            ta.start(); tb.start(); ta.join(120); tb.join(120)
            assert not errors, errors
            (sa, ra), (sb, rb) = results["a"], results["b"]
            assert sa.id != sb.id
            assert ra.interaction_count == rb.interaction_count == 2
            assert ra.mask.any() and rb.mask.any()
            # both sessions are visible through the shared engine; each client keeps working after the other leaves
            listed = {s["sessionId"] for s in a.list_sessions()}
            assert sa.id in listed
            b.close()
            assert a.ping()
            assert sa.undo().interaction_count == 1
        finally:
            a.close()
            b.close()
        # a fresh client can still connect after both left
        with Engine.connect(name, timeout=60) as c:
            assert c.ping()


def test_box_restricts_the_mask_to_the_box(engine):
    ready_model(engine, "graph-cut")
    arr, disc = synthetic()
    s = engine.create_session(engine.open_image(arr), "graph-cut")
    r = s.box(30, 20, 98, 76)
    assert r.interaction_count == 1
    assert not r.mask[:20].any() and not r.mask[:, :30].any() and not r.mask[76:].any() and not r.mask[:, 98:].any()
    inter, union = (r.mask & disc).sum(), (r.mask | disc).sum()
    assert inter / union > 0.8, f"IoU {inter / union:.3f}; notes: {r.notes}"
    s.close()


def test_engine_death_is_reported_with_its_exit_code(segbridge_exe):
    engine = Engine.launch(segbridge_exe, args=engine_args(), timeout=30, stderr=subprocess.DEVNULL)
    engine.process.kill()
    engine.process.wait(10)
    with pytest.raises(segbridge.SegBridgeConnectionError) as info:
        engine.ping()
    assert "exit" in str(info.value)
    engine.close()


def test_verbose_engine_log_never_reaches_the_protocol(segbridge_exe, tmp_path):
    """With -v the engine logs every request on stderr; the client must still parse only stdout frames."""
    log = tmp_path / "engine.log"
    with Engine.launch(segbridge_exe, args=engine_args("-v"), timeout=30, stderr=str(log)) as engine:
        image, _ = synthetic()
        s = engine.create_session(engine.open_image(image), "watershed")
        assert s.click(64, 48).interaction_count == 1
    assert "initialized" in log.read_text()


def test_session_on_a_region_keeps_image_coordinates(engine):
    arr, disc = synthetic()  # 128 x 96, disc centred at (64, 48)
    s = engine.create_session(engine.open_image(arr), "graph-cut", region=(32, 16, 64, 64))
    r = s.click(64, 48)  # image coordinates
    assert r.mask.shape == (64, 64)
    assert (r.raw["originX"], r.raw["originY"], r.raw["downsample"]) == (32, 16, 1)
    region_truth = disc[16:80, 32:96]
    iou = (r.mask & region_truth).sum() / (r.mask | region_truth).sum()
    assert iou > 0.8, iou
    with pytest.raises(segbridge.SegBridgeError) as info:
        s.click(5, 5)
    assert info.value.code == 4002 and "region (32, 16, 64×64)" in info.value.message
    s.close()


def test_volume_slice_session_and_click_model(engine):
    """A BraTS FLAIR volume opened by path reports depth/spacing; a session on one slice segments; the shipped
    click model lists its device."""
    brats = data_root() / "brats"
    cases = sorted(p for p in brats.glob("*") if (p / "Flair_subtrMeanDivStd.nii.gz").exists()) if brats.is_dir() else []
    if not cases:
        pytest.skip(f"BraTS data not found under {brats} (set SEGBRIDGE_DATA)")
    image = engine.open_image(str(cases[0] / "Flair_subtrMeanDivStd.nii.gz"))
    assert image.depth == 155 and image.shape == (240, 240)
    assert image.spacing is not None and len(image.spacing) == 3
    with engine.create_session(image, "graph-cut", slice=77) as session:
        result = session.click(120, 120, True, format="raw")
        assert result.mask.shape == (240, 240)
    info = engine.describe_model("click-hist-cgam")
    model = info.get("model", info)
    assert model["status"] == "ready" and model["device"] in ("cpu", "cuda")


def test_session_from_a_guide_initial_mask(engine):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    img = engine.open_image(image)
    with engine.create_session(img, "graph-cut", initial_mask="guide-hist") as session:
        start = session.mask(format="raw").mask
        session.click(5, 5, False, format="raw")
        assert np.array_equal(session.undo(format="raw").mask, start)


def test_click_sessions_start_from_the_base_networks_prediction_unless_asked_not_to(engine):
    model = next(m for m in engine.list_models()["models"] if m["id"] == "click-hist-cgam")
    assert model["initialMask"] == "model" and model["pixelSizeUm"] == 1.0 and "epithelium" in model["segments"]
    rng = np.random.default_rng(5)
    image = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    img = engine.open_image(image)
    with engine.create_session(img, "click-hist-none", initial_mask="model") as reference:
        expected = reference.mask(format="raw").mask
    with engine.create_session(img, "click-hist-cgam") as session:
        assert session.info["initialMask"] == "click-hist-cgam"
        start = session.mask(format="raw").mask
        assert np.array_equal(start, expected)  # the same base network, without clicks
        session.click(64, 48, True, format="raw")
        assert np.array_equal(session.undo(format="raw").mask, start)
    with engine.create_session(img, "click-hist-cgam", initial_mask="none") as empty:
        assert empty.info.get("initialMask") is None and not empty.mask(format="raw").mask.any()
    with pytest.raises(segbridge.InvalidArgumentError) as info:
        engine.create_session(img, "watershed", initial_mask="model")
    assert info.value.field == "initialMask"


def test_volume_propagation_streams_slices_and_next_round_starts_from_them(engine):
    """On the held-out BraTS case: volumes/propagate with on_slice streams every slice (mask and quality) before
    propagate returns, matching the result; the next round's session starts from its slice's propagated mask and
    takes extreme points."""
    ready_model(engine, "mem3d-brats")
    nib = pytest.importorskip("nibabel")
    brats = data_root() / "brats"
    cases = sorted(p for p in brats.glob("*") if (p / "Flair_subtrMeanDivStd.nii.gz").exists()) if brats.is_dir() else []
    if not cases:
        pytest.skip(f"BraTS data not found under {brats} (set SEGBRIDGE_DATA)")
    case = cases[-1]  # held out of mem3d-brats' training
    label = next(case.glob("OTMultiClass*.nii.gz"))
    truth = np.asarray(nib.load(str(label)).dataobj).transpose(2, 1, 0) > 0  # (depth, height, width) as the engine
    depth = truth.shape[0]
    z0 = int(truth.sum(axis=(1, 2)).argmax())
    ys, xs = np.nonzero(truth[z0])
    image = engine.open_image(str(case / "Flair_subtrMeanDivStd.nii.gz"))
    streamed = []
    with engine.create_session(image, "mem3d-brats", slice=z0) as first:
        first.box(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
        result = first.propagate(on_slice=lambda z, m, q, done, total: streamed.append((z, m, q, done, total)))
        assert len(streamed) == depth, "every slice is streamed before the response"
        assert [s[3] for s in streamed] == list(range(1, depth + 1)) and {s[4] for s in streamed} == {depth}
        assert sorted(s[0] for s in streamed) == list(range(depth))
        for z, mask, quality, _, _ in streamed:
            assert np.array_equal(mask, result.masks[z])
            assert quality == pytest.approx(result.quality[z], abs=1e-4)
        assert result.masks.shape == truth.shape and result.interactive_slices == [z0]
        dice = 2 * np.logical_and(result.masks, truth).sum() / (result.masks.sum() + truth.sum())
        assert dice > 0.3, f"volume Dice {dice:.3f}"
        assert first.suggest_slice()["slice"] == result.suggested_slice
        by_errors = first.suggest_slice(rank="mostExpectedErrors")
        z_err = by_errors["slice"]
        q = max(0.05, result.quality[z_err])
        assert by_errors["rank"] == "mostExpectedErrors" and z_err != z0 and result.masks[z_err].any()
        assert by_errors["expectedErrors"] == pytest.approx(result.masks[z_err].sum() * (1 - q) / q, rel=1e-3, abs=0.1)
    # The next round: the slice (other than z0) where propagation found most of the tumour.
    z = max((k for k in range(depth) if k != z0), key=lambda k: np.logical_and(result.masks[k], truth[k]).sum())
    with engine.create_session(image, "mem3d-brats", slice=z) as second:
        assert second.info["initialMask"] == "propagation"
        assert np.array_equal(second.mask(format="raw").mask, result.masks[z])
        ys, xs = np.nonzero(truth[z])
        points = [[xs.min() + 0.5, ys[xs.argmin()] + 0.5], [xs.max() + 0.5, ys[xs.argmax()] + 0.5],
                  [xs[ys.argmin()] + 0.5, ys.min() + 0.5], [xs[ys.argmax()] + 0.5, ys.max() + 0.5]]
        with pytest.raises(segbridge.SegBridgeError) as bad:
            second.extreme_points(points[:3])
        assert bad.value.code == 4002 and bad.value.field == "extremePoints.points"
        refined = second.extreme_points(points, format="raw").mask
        slice_dice = 2 * np.logical_and(refined, truth[z]).sum() / (refined.sum() + truth[z].sum())
        assert slice_dice > 0.5, f"slice Dice from extreme points {slice_dice:.3f}"
        assert second.history()["interactions"][0]["type"] == "extremePoints"
