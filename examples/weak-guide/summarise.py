"""Summarises the weak-guide experiment: mean initial (click-free) IoU per run and held-out set.

usage: summarise.py WORK OUT  (WORK as in run.sh; writes OUT/results.json and OUT/results.md)
"""
import json, pathlib, sys

work, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
sets = ["glas-testA", "ebhi-odd", "wsss4luad-odd"]
runs = {}
for name in sorted(p.stem for p in (work / "models").glob("weak-*.json")):
    record = json.loads((work / "models" / "weights" / f"{name}.training.json").read_text())
    entry = {"maskShare": record["maskShare"], "classLoss": record["classLoss"], "maskedSamples": len(record["maskedSamples"]),
             "imageLevelSamples": record["imageLevelSamples"], "trainingMinutes": record["minutes"], "command": record["command"], "meanIou": {}, "samples": {}}
    for s in sets:
        f = work / "eval" / s / name / "results.json"
        if not f.exists():
            continue
        samples = json.loads(f.read_text())["results"]["models"][0]["samples"]
        ious = [x["initialIou"] for x in samples]
        entry["meanIou"][s] = round(sum(ious) / len(ious), 4)
        entry["samples"][s] = len(ious)
    runs[name] = entry
(out / "results.json").write_text(json.dumps(runs, indent=1) + "\n")

lines = ["| share s | masked patches | run | GlaS testA | EBHI odd | WSSS4LUAD odd (tumour) | train min |", "|---:|---:|---|---:|---:|---:|---:|"]
for name, e in sorted(runs.items(), key=lambda kv: (kv[1]["maskShare"], kv[1]["classLoss"])):
    cells = [f"{e['meanIou'][s]:.3f}" if s in e["meanIou"] else "–" for s in sets]
    lines.append(f"| {e['maskShare']:g} | {e['maskedSamples']} | {'S+C' if e['classLoss'] else 'S'} | " + " | ".join(cells) + f" | {e['trainingMinutes']} |")
(out / "results.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
