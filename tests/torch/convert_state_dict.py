#!/usr/bin/python3
"""Converts a PyTorch state dict of the SegBridge click network into a SegBridge weights file (safetensors).

  /usr/bin/python3 tests/torch/convert_state_dict.py --state-dict model.pt --config config.json \
      --out plugin-manifests/weights/NAME.safetensors [--half] [--seed 1] [--cgam-start theta0.pt]

model.pt: torch.save(net.state_dict()) of tests/torch/click_network.ClickNetwork (or a checkpoint dict with a
"state_dict" entry); parameter names must match (a "module." prefix from DataParallel is removed). config.json:
the network shape, e.g. {"depth": 18, "width": 32, "asppChannels": 128, "decoderChannels": 64,
"lowLevelChannels": 48, "clickNormRadius": 260}, or with "backbone": "imagenet-resnet18" (width 64) the ImageNet
ResNet-18 layout. A click network (5 input channels) also gets CGAM's theta_0, the eight cgam.* tensors of
CgamRefiner.StartNames: from --cgam-start (a torch.save'd dict by those names, as export_reference.py
--cgam-start writes it), else from cgam.* entries of the state dict when it holds all eight, else drawn with
--seed as CgamRefiner.NewStart draws them (uniform, bound 1/sqrt(fan_in); IN scale 0, shift 1; the values
differ from the engine's draw). A guide network (3 channels) gets none. Prints the sha256 to put in the manifest.
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


def check_start(start, c, source):
    half = c // 2
    shapes = {"w_c.weight": (half, 2, 1, 1), "w_c.bias": (half,), "w_m.weight": (half, c, 1, 1), "w_m.bias": (half,),
              "psi.weight": (c, half, 1, 1), "psi.bias": (c,), "norm.weight": (c,), "norm.bias": (c,)}
    missing = [n for n in click_network.CGAM_START_NAMES if n not in start]
    if missing:
        sys.exit(f"{source}: CGAM theta_0 lacks {missing}")
    for name, shape in shapes.items():
        if tuple(start[name].shape) != shape:
            sys.exit(f"{source}: CGAM theta_0 '{name}' has shape {tuple(start[name].shape)}, asppChannels {c} needs {shape}")
    return {n: start[n] for n in click_network.CGAM_START_NAMES}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state-dict", required=True)
    ap.add_argument("--config", required=True, help="JSON file or inline JSON")
    ap.add_argument("--out", required=True)
    ap.add_argument("--half", action="store_true", help="store floating tensors as float16")
    ap.add_argument("--seed", type=int, default=1, help="seed of the drawn CGAM theta_0")
    ap.add_argument("--cgam-start", help="CGAM theta_0 to store (torch.save'd dict by CgamRefiner.StartNames)")
    args = ap.parse_args()

    config = json.loads(open(args.config).read() if os.path.exists(args.config) else args.config)
    config = {**DEFAULTS, **config}
    state = torch.load(args.state_dict, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
    in_state = {k[len(click_network.CGAM_PREFIX):]: v for k, v in state.items() if k.startswith(click_network.CGAM_PREFIX)}
    state = {k: v for k, v in state.items() if not k.startswith(click_network.CGAM_PREFIX)}

    net = click_network.ClickNetwork(config)
    expected = net.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        sys.exit(f"state dict does not fit the config: missing {missing[:8]}{'...' if len(missing) > 8 else ''}, unexpected {unexpected[:8]}")
    for name, tensor in expected.items():
        if tuple(state[name].shape) != tuple(tensor.shape):
            sys.exit(f"{name}: shape {tuple(state[name].shape)}, the config needs {tuple(tensor.shape)}")

    tensors = {k: v.detach().cpu().numpy() for k, v in state.items()}
    start_from = None
    if net.input_channels == 5 and config.get("refineInputs") is None:
        c = config["asppChannels"]
        if args.cgam_start:
            start, start_from = check_start(torch.load(args.cgam_start, map_location="cpu"), c, args.cgam_start), os.path.basename(args.cgam_start)
        elif len(in_state) == len(click_network.CGAM_START_NAMES):
            start, start_from = check_start(in_state, c, args.state_dict), "state dict"
        else:
            if in_state:
                sys.exit(f"{args.state_dict} holds only {sorted(in_state)} of CGAM's theta_0; give all eight, or none to draw them")
            start, start_from = click_network.new_cgam_start(c, args.seed), f"drawn, seed {args.seed}"
        for name, value in start.items():
            tensors[click_network.CGAM_PREFIX + name] = value.detach().cpu().float().numpy()
    provenance = {"convertedFrom": os.path.basename(args.state_dict), "tool": "tests/torch/convert_state_dict.py", "seed": args.seed}
    if start_from:
        provenance["cgamStart"] = start_from
    metadata = {
        click_network.CONFIG_KEY: json.dumps(config, separators=(",", ":")),
        "segbridge.training": json.dumps(provenance),
    }
    safetensors_io.write(args.out, tensors, metadata, half=args.half)
    with open(args.out, "rb") as f:
        print(hashlib.sha256(f.read()).hexdigest())


if __name__ == "__main__":
    main()
