"""Summarises the weak-guide experiment: mean initial (click-free) IoU per run and held-out set.

usage: summarise.py WORK OUT  (WORK as in run.sh; writes OUT/results.json and OUT/results.md)
"""
import json, pathlib, sys

work, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
sets = ["glas-testA", "ebhi-odd", "wsss4luad-odd"]


def run_label(e):
    if not e["classLoss"]:
        return "S"
    return "S+C" if e["classWeight"] == 1 else f"S+C (class weight {e['classWeight']:g})"


runs = {}
for name in sorted(p.stem for p in (work / "models").glob("weak-*.json")):
    record = json.loads((work / "models" / "weights" / f"{name}.training.json").read_text())
    entry = {"maskShare": record["maskShare"], "classLoss": record["classLoss"], "maskedSamples": len(record["maskedSamples"]),
             "imageLevelSamples": record["imageLevelSamples"], "classWeight": record["options"]["ClassLossWeight"] if record["classLoss"] else None, "trainingMinutes": record["minutes"], "command": record["command"], "meanIou": {}, "samples": {}}
    for s in sets:
        f = work / "eval" / s / name / "results.json"
        if not f.exists():
            continue
        samples = json.loads(f.read_text())["results"]["models"][0]["samples"]
        ious = [x["initialIou"] for x in samples]
        entry["meanIou"][s] = round(sum(ious) / len(ious), 4)
        entry["samples"][s] = len(ious)
        if s == "ebhi-odd":  # per class (file-name prefix): where the class steps help or hurt
            by_class = {}
            for x in samples:
                by_class.setdefault(x["name"].split("_")[0], []).append(x["initialIou"])
            entry["ebhiOddByClass"] = {c: round(sum(v) / len(v), 4) for c, v in sorted(by_class.items())}
    runs[name] = entry
(out / "results.json").write_text(json.dumps(runs, indent=1) + "\n")

lines = ["| share s | masked patches | run | GlaS testA | EBHI odd | WSSS4LUAD odd (tumour) | train min |", "|---:|---:|---|---:|---:|---:|---:|"]
for name, e in sorted(runs.items(), key=lambda kv: (kv[1]["maskShare"], kv[1]["classLoss"], -(kv[1]["classWeight"] or 0))):
    cells = [f"{e['meanIou'][s]:.3f}" if s in e["meanIou"] else "–" for s in sets]
    lines.append(f"| {e['maskShare']:g} | {e['maskedSamples']} | {run_label(e)} | " + " | ".join(cells) + f" | {e['trainingMinutes']} |")
classes = sorted({c for e in runs.values() for c in e.get("ebhiOddByClass", {})})
lines += ["", "EBHI odd by class (mean initial IoU):", "", "| share s | run | " + " | ".join(classes) + " |", "|---:|---|" + "---:|" * len(classes)]
for name, e in sorted(runs.items(), key=lambda kv: (kv[1]["maskShare"], kv[1]["classLoss"], -(kv[1]["classWeight"] or 0))):
    if "ebhiOddByClass" in e:
        lines.append(f"| {e['maskShare']:g} | {run_label(e)} | " + " | ".join(f"{e['ebhiOddByClass'].get(c, float('nan')):.3f}" for c in classes) + " |")
(out / "results.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
