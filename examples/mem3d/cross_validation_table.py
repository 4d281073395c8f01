"""Mean whole-volume Dice per round over the folds' results.json (one left-out case each), as a Markdown table."""
import json
import sys

folds = [json.load(open(f"{d}/results.json")) for d in sys.argv[1:]]
choices = [c for c in folds[0]["meanDicePerRound"] if all(c in f["meanDicePerRound"] for f in folds)]
rounds = folds[0]["rounds"]
cases = [c for f in folds for c in f["cases"]]
print(f"Whole-volume Dice after each round, mean over {len(folds)} left-out cases ({', '.join(cases)}), "
      "each segmented by the model trained on the other three\n")
print("| slice choice | " + " | ".join(f"round {r + 1}" for r in range(rounds)) + " |")
print("|---|" + "---|" * rounds)
for c in choices:
    mean = [sum(f["meanDicePerRound"][c][r] for f in folds) / len(folds) for r in range(rounds)]
    print(f"| {c} | " + " | ".join(f"{v:.3f}" for v in mean) + " |")
print("\nPer case, round 1 → round 6:\n")
for f in folds:
    row = ", ".join(f"{c} {f['meanDicePerRound'][c][0]:.3f} → {f['meanDicePerRound'][c][-1]:.3f}" for c in choices)
    print(f"- {f['cases'][0]}: {row}")
