"""Builds table1.md and table2.md of examples/deepscribble from the harness's results.json files."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "examples/deepscribble")
DATASETS = {"glas-testA": "GlaS testA", "wsss4luad": "WSSS4LUAD odd", "grabcut-real-scribbles-set-1": "GrabCut, human scribbles set 1",
            "grabcut-real-scribbles-set-2": "GrabCut, human scribbles set 2"}


def load(path):
    return json.loads(path.read_text())["results"]


def table2():
    rows, names, samples = {}, [], {}
    for prefix, title in (("glas-testA", "GlaS testA"), ("wsss4luad-odd", "WSSS4LUAD odd")):
        files = sorted((root / "table2").glob(prefix + "-*/results.json"))
        if not files:
            continue
        names.append(title)
        for f in files:
            r = load(f)
            s = r["models"][0]["summary"]
            rows.setdefault("GuideNet alone (guide-hist)", {})[title] = (s["meanInitialIou"], None)
            rows.setdefault(s["model"], {})[title] = (s["meanIouCurve"][0], s["meanIouCurve"][-1])
            samples[title] = s["samples"]
    label = {"deepscribble-hist-i": "RefineNet: I", "deepscribble-hist-ip": "RefineNet: I + P", "deepscribble-hist-ips": "RefineNet: I + P + S",
             "deepscribble-hist": "RefineNet: I + P + D (shipped deepscribble-hist)"}
    order = ["GuideNet alone (guide-hist)"] + [m for m in label if m in rows]
    out = ["| Method | " + " | ".join(f"{n}: mIoU after 1 scribble | {n}: after 5" for n in names) + " |",
           "| --- |" + " ---: | ---: |" * len(names)]
    for model in order:
        cells = []
        for n in names:
            one, five = rows[model].get(n, (None, None))
            cells += [f"{one:.3f}" if one is not None else "-", f"{five:.3f}" if five is not None else "(no scribble)"]
        out.append(f"| {label.get(model, model)} | " + " | ".join(cells) + " |")
    out += ["", "Samples: " + ", ".join(f"{n} {k}" for n, k in samples.items()) + ". GuideNet alone is the start mask, before any scribble."]
    return "\n".join(out) + "\n"


def table1():
    out = []
    groups = {}
    for f in sorted((root / "table1").glob("*/results.json")):
        key = next((k for k in DATASETS if f.parent.name.startswith(k)), f.parent.name)
        groups.setdefault(key, []).append(load(f))
    for key, results in groups.items():
        out += [f"### {DATASETS.get(key, key)}", "",
                "| Model | interaction | NoI@85 | NoI@90 | reached 85 % within 20 | SPI (s) | total time (s) | mIoU@20 | samples |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in results:
            for m in r["models"]:
                s = m["summary"]
                n = s["samples"]
                reached = 100.0 * (n - s["noF"][0]) / n if n else 0
                kind = "click" if r["mode"] == "clicks" else "human scribble" if r["mode"] == "real-scribbles" else "robot scribble"
                out.append(f"| {s['model']} | {kind} | {s['meanNoc'][0]:.2f} | {s['meanNoc'][1]:.2f} | {reached:.0f} % | "
                           f"{s['secondsPerInteraction']:.3f} | {s['totalSeconds']:.1f} | {s['meanIouCurve'][-1]:.3f} | {n} |")
        out.append("")
    return "\n".join(out)


(root / "table2.md").write_text(table2())
(root / "table1.md").write_text(table1())
print((root / "table2.md").read_text())
print((root / "table1.md").read_text())
