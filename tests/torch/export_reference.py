#!/usr/bin/python3
"""Exports the click network of a SegBridge weights file from PyTorch, as a state dict and as TorchScript.

  /usr/bin/python3 tests/torch/export_reference.py --weights W.safetensors --state-dict out.pt \
      [--cgam-start theta0.pt] [--torchscript out.ts.pt]

This is what a PyTorch user hands to SegBridge: the state dict goes through convert_state_dict.py, the TorchScript
file through `segbridge import-weights --torchscript`. Both layouts of the network are handled (the f-BRS fusion
and the ImageNet ResNet-18 with its guidance conv; a 3-channel guide network is traced on the image alone).
--cgam-start saves the file's CGAM theta_0 (the eight cgam.* tensors, by CgamRefiner.StartNames without the
prefix) for convert_state_dict.py --cgam-start, so a round trip keeps it. The import test round-trips the shipped
weights this way.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import click_network  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--state-dict")
    ap.add_argument("--cgam-start")
    ap.add_argument("--torchscript")
    args = ap.parse_args()
    net, start, _ = click_network.load(args.weights)
    if args.state_dict:
        torch.save(net.state_dict(), args.state_dict)
    if args.cgam_start:
        if start is None:
            sys.exit(f"{args.weights} is not a click network: it has no CGAM theta_0")
        torch.save(start, args.cgam_start)
    if args.torchscript:
        image = torch.zeros(1, 3, 64, 64)
        example = (image,) if net.input_channels == 3 else (image, torch.ones(1, net.input_channels - 3, 64, 64))
        torch.jit.trace(net, example).save(args.torchscript)


if __name__ == "__main__":
    main()
