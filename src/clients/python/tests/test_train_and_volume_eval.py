"""train/run and eval/run {mode: volume} through the REAL engine: what a notebook user runs, with progress and cancel.

Both are long requests: they stream progress notifications (train/progress, eval/progress) when called with
``on_progress``, and stop when ``cancel`` is set, answering -32800 and writing nothing.
"""

import threading
from pathlib import Path

import pytest

from conftest import data_root, engine_args
from segbridge import Engine
from segbridge.errors import ImageError, InvalidArgumentError, RequestCancelledError

@pytest.fixture(scope="module")
def engine(segbridge_exe, tmp_path_factory):
    with Engine.launch(segbridge_exe, args=engine_args("--allow-root", str(tmp_path_factory.getbasetemp())), timeout=120) as e:
        yield e


@pytest.fixture(scope="module")
def ebhi_adeno():
    folder = data_root() / "ebhi"
    if not (folder / "images").is_dir():
        pytest.skip(f"EBHI not found under {folder} (set SEGBRIDGE_DATA)")
    return f"{folder}:pattern=adeno_*"


TINY_GUIDE = dict(backbone="none", iterations=3, batch=2, crop=64, width=8, aspp_channels=16, decoder_channels=16, threads=1)


def test_train_writes_weights_record_and_manifest_with_progress(engine, ebhi_adeno, tmp_path):
    seen = []
    result = engine.train("guide", ebhi_adeno, tmp_path, "tiny-guide", on_progress=seen.append, **TINY_GUIDE)
    assert Path(result["weights"]).is_file() and Path(result["weights"]).stat().st_size > 0
    assert Path(result["record"]).is_file()
    assert [Path(m).name for m in result["manifests"]] == ["tiny-guide.json"]
    assert result["seconds"] > 0
    assert seen, "no train/progress notification arrived before the response"
    assert seen[-1]["iteration"] == seen[-1]["iterations"] == 3
    assert all(p["stage"] for p in seen)
    assert [p["iteration"] for p in seen] == sorted(p["iteration"] for p in seen)


def test_train_cancel_stops_and_writes_nothing(engine, ebhi_adeno, tmp_path):
    cancel = threading.Event()

    def progress(p):
        if p["iteration"] >= 1:
            cancel.set()

    options = dict(TINY_GUIDE, iterations=100000)
    with pytest.raises(RequestCancelledError):
        engine.train("guide", ebhi_adeno, tmp_path, "cancelled", on_progress=progress, cancel=cancel, **options)
    assert cancel.is_set()
    assert not (tmp_path / "weights" / "cancelled.safetensors").exists()
    assert not (tmp_path / "cancelled.json").exists()
    assert engine.ping()["serverTimeUtc"]  # the engine goes on serving


def test_train_bad_option_names_the_option_and_range(engine, ebhi_adeno, tmp_path):
    with pytest.raises(InvalidArgumentError) as e:
        engine.train("guide", ebhi_adeno, tmp_path, "bad", iterations=0)
    assert "iterations" in str(e.value)
    with pytest.raises(InvalidArgumentError) as e:
        engine.train("no-such-family", ebhi_adeno, tmp_path, "bad")
    assert "family" in str(e.value) and "brs-click" in str(e.value)


def test_train_refuses_a_checkpoint_outside_the_allowed_folders(engine, ebhi_adeno, tmp_path):
    with pytest.raises(ImageError) as e:
        engine.train("guide", ebhi_adeno, tmp_path, "elsewhere", resume="/etc", **TINY_GUIDE)
    assert e.value.code == 3004 and e.value.data["field"] == "resume"
    assert not (tmp_path / "weights").exists()


@pytest.fixture(scope="module")
def brats():
    folder = data_root() / "brats"
    if not any(folder.glob("brats_*/OTMultiClass*")):
        pytest.skip(f"BraTS cases not found under {folder} (set SEGBRIDGE_DATA)")
    return folder


HELD_OUT = "brats_2013_pat0006_1"  # the shipped mem3d-brats was trained on the other three cases


def test_volume_eval_from_python_matches_its_rounds_and_streams_progress(engine, brats, tmp_path):
    models = {m["id"]: m for m in engine.list_models()["models"]}
    if models.get("mem3d-brats", {}).get("status") != "ready":
        pytest.skip("mem3d-brats is not ready (no shipped weights)")
    seen = []
    volume = engine.evaluate_volumes(brats, "mem3d-brats", rounds=2, slice_choices=("quality", "oracle"), cases=[HELD_OUT],
                                     out=tmp_path / "out", on_progress=seen.append)
    assert volume["cases"] == [HELD_OUT]
    assert [m["choice"] for m in volume["meanDice"]] == ["quality", "oracle"]
    assert len(volume["runs"]) == 2
    for run in volume["runs"]:
        assert [r["number"] for r in run["rounds"]] == [1, 2]
        assert run["rounds"][0]["slice"] != run["rounds"][1]["slice"]
        assert all(0.4 < r["dice"] <= 1 for r in run["rounds"]), run  # held-out whole-tumour Dice from one box is about 0.6
    for m in volume["meanDice"]:
        run = next(r for r in volume["runs"] if r["choice"] == m["choice"])
        assert m["dice"] == pytest.approx([r["dice"] for r in run["rounds"]], abs=1e-5)
    assert [(p["name"], p["done"], p["total"]) for p in seen] == [(HELD_OUT, k, 4) for k in range(1, 5)]
    assert (tmp_path / "out" / "results.json").is_file() and (tmp_path / "out" / "table.md").is_file()


def test_volume_eval_cancel_stops_after_the_round_in_progress(engine, brats):
    models = {m["id"]: m for m in engine.list_models()["models"]}
    if models.get("mem3d-brats", {}).get("status") != "ready":
        pytest.skip("mem3d-brats is not ready (no shipped weights)")
    cancel, seen = threading.Event(), []

    def progress(p):
        seen.append(p)
        cancel.set()

    with pytest.raises(RequestCancelledError):
        engine.evaluate_volumes(brats, "mem3d-brats", rounds=20, cases=[HELD_OUT], on_progress=progress, cancel=cancel)
    assert 1 <= len(seen) < 20
    assert engine.ping()["serverTimeUtc"]


def test_volume_eval_bad_fields_are_named(engine, brats):
    with pytest.raises(InvalidArgumentError) as e:
        engine.evaluate_volumes(brats, "mem3d-brats", slice_choices=("worst",))
    assert e.value.field == "sliceChoices" and "expected-errors" in str(e.value)
    with pytest.raises(InvalidArgumentError) as e:
        engine.evaluate_volumes(brats, "mem3d-brats", interaction="lasso")
    assert e.value.field == "volumeInteraction"
    with pytest.raises(InvalidArgumentError) as e:
        engine.evaluate_volumes(brats, "graph-cut")
    assert e.value.field == "models" and "mem3d-brats" in str(e.value)
