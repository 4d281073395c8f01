#!/usr/bin/python3
"""Exports the click network of a SegBridge weights file from PyTorch, as a state dict and as TorchScript.

  /usr/bin/python3 tools/torch/export_reference.py --weights W.safetensors --state-dict out.pt --torchscript out.ts.pt

This is what a PyTorch user hands to SegBridge: the state dict goes through convert_state_dict.py, the TorchScript
file through `segbridge import-weights --torchscript`. The import test round-trips the shipped weights this way.
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
    ap.add_argument("--torchscript")
    args = ap.parse_args()
    net, _, _ = click_network.load(args.weights)
    if args.state_dict:
        torch.save(net.state_dict(), args.state_dict)
    if args.torchscript:
        example = (torch.zeros(1, 3, 64, 64), torch.ones(1, 2, 64, 64))
        torch.jit.trace(net, example).save(args.torchscript)


if __name__ == "__main__":
    main()
