"""Engine.evaluate (eval/run) against the REAL engine on a few GrabCut images (skipped without data)."""

import tempfile

import pytest

from segbridge import Engine, EvalModelSummary, EvalResults, EvalSample, InvalidArgumentError, UnknownModelError

from conftest import data_root, engine_args


@pytest.fixture(scope="module")
def engine(segbridge_exe):
    # Reports go to pytest's temp folder, so it must be an allowed root beside the data.
    with Engine.launch(segbridge_exe, args=engine_args("--allow-root", tempfile.gettempdir()), timeout=60) as e:
        yield e


@pytest.fixture(scope="module")
def grabcut():
    folder = data_root() / "grabcut"
    if not (folder / "images").is_dir() or not (folder / "masks").is_dir():
        pytest.skip(f"GrabCut data not found under {folder} (set SEGBRIDGE_DATA)")
    return folder


def test_evaluate_clicks_returns_python_objects(engine, grabcut, tmp_path):
    results = engine.evaluate(grabcut, ["watershed", "graph-cut"], mode="clicks", max=20, targets=(0.85, 0.9),
                              limit=2, out=tmp_path)
    assert isinstance(results, EvalResults)
    assert results.mode == "clicks" and results.max == 20 and results.targets == [0.85, 0.9]
    assert set(results.models) == {"watershed", "graph-cut"}
    for model, summary in results.models.items():
        assert isinstance(summary, EvalModelSummary)
        assert summary.samples == 2
        assert all(1 <= n <= 20 for n in summary.noc)
        assert summary.mean_iou.shape == (20,)
        assert 0 <= summary.mean_iou.min() <= summary.mean_iou.max() <= 1
        assert summary.spc > 0
        samples = [s for s in results.samples if s.model == model]
        assert len(samples) == 2 and all(isinstance(s, EvalSample) for s in samples)
        for t, target in enumerate(results.targets):
            assert summary.nof[t] == sum(s.failed[t] for s in samples)
            for s in samples:
                assert 1 <= s.noc[t] <= 20
                assert s.failed[t] == all(v < target for v in s.ious)
        assert results.noc(model, 0.9) == summary.noc[1]
    assert sorted(p.split("/")[-1] for p in results.files) == ["iou-curve.png", "results.json", "table.md"]
    assert (tmp_path / "table.md").read_text().count("| watershed |") == 1


def test_evaluate_real_scribbles(engine, grabcut):
    results = engine.evaluate(grabcut, "random-walker", mode="real-scribbles", scribble_set="scribbles-set-2", limit=2,
                              include_samples=False)
    summary = results.models["random-walker"]
    assert summary.samples == 2 and results.samples == []
    assert summary.mean_iou[-1] > 0.5


def test_evaluate_errors_name_the_field(engine, grabcut, tmp_path):
    with pytest.raises(UnknownModelError):
        engine.evaluate(grabcut, "nope")
    with pytest.raises(InvalidArgumentError) as e:
        engine.evaluate(tmp_path / "missing", "watershed")
    assert e.value.field == "dataset"
    with pytest.raises(InvalidArgumentError):
        engine.evaluate(grabcut, "watershed", targets=(0.9, 1.2))


def test_evaluate_image_pattern_and_alternate_pick_the_split(engine, grabcut):
    names = sorted(p.stem for p in (grabcut / "images").iterdir() if (grabcut / "masks" / (p.stem + ".png")).exists())
    prefix = max({n[0] for n in names}, key=lambda c: sum(n.startswith(c) for n in names))  # the commonest first letter
    results = engine.evaluate(grabcut, "watershed", max=1, image_pattern=prefix + "*", alternate="odd", limit=50)
    expected = [n for n in names if n.startswith(prefix)][1::2]
    assert sorted(s.name for s in results.samples) == expected
    with pytest.raises(InvalidArgumentError) as e:
        engine.evaluate(grabcut, "watershed", alternate="third")
    assert e.value.field == "alternate"
