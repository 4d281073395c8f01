#!/usr/bin/python3
"""Converts a PyTorch state dict of the SegBridge click network into a SegBridge weights file (safetensors).

  /usr/bin/python3 tools/torch/convert_state_dict.py --state-dict model.pt --config config.json \
      --out plugin-manifests/weights/NAME.safetensors [--half] [--seed 1]

model.pt: torch.save(net.state_dict()) of tools/torch/click_network.ClickNetwork (or a checkpoint dict with a
"state_dict" entry); parameter names must match (a "module." prefix from DataParallel is removed). config.json:
the network shape, e.g. {"depth": 18, "width": 32, "asppChannels": 128, "decoderChannels": 64,
"lowLevelChannels": 48, "clickNormRadius": 260}. CGAM's starting W_C and W_m are drawn with --seed.
Prints the sha256 to put in the manifest.
"""
import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import click_network  # noqa: E402
import safetensors_io  # noqa: E402

DEFAULTS = {"depth": 18, "width": 64, "asppChannels": 256, "decoderChannels": 256, "lowLevelChannels": 48, "clickNormRadius": 260}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state-dict", required=True)
    ap.add_argument("--config", required=True, help="JSON file or inline JSON")
    ap.add_argument("--out", required=True)
    ap.add_argument("--half", action="store_true", help="store floating tensors as float16")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    config = json.loads(open(args.config).read() if os.path.exists(args.config) else args.config)
    config = {**DEFAULTS, **config}
    state = torch.load(args.state_dict, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}

    net = click_network.ClickNetwork(config)
    expected = net.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        sys.exit(f"state dict does not fit the config: missing {missing[:8]}{'...' if len(missing) > 8 else ''}, unexpected {unexpected[:8]}")
    for name, tensor in expected.items():
        if tuple(state[name].shape) != tuple(tensor.shape):
            sys.exit(f"{name}: shape {tuple(state[name].shape)}, the config needs {tuple(tensor.shape)}")

    c = config["asppChannels"]
    generator = torch.Generator().manual_seed(args.seed)
    tensors = {k: v.detach().cpu().numpy() for k, v in state.items()}
    tensors["cgam.w_c.weight"] = ((torch.rand(c // 2, 2, 1, 1, generator=generator) * 2 - 1) / 2 ** 0.5).numpy()
    tensors["cgam.w_m.weight"] = ((torch.rand(c // 2, c, 1, 1, generator=generator) * 2 - 1) / c ** 0.5).numpy()
    metadata = {
        "segbridge.clickNetwork": json.dumps(config, separators=(",", ":")),
        "segbridge.training": json.dumps({"convertedFrom": os.path.basename(args.state_dict), "tool": "tools/torch/convert_state_dict.py", "seed": args.seed}),
    }
    safetensors_io.write(args.out, tensors, metadata, half=args.half)
    with open(args.out, "rb") as f:
        print(hashlib.sha256(f.read()).hexdigest())


if __name__ == "__main__":
    main()
