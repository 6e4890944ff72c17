"""Bring a GPU run's result into the CPU run: the CPU checkpoint's weights and weight average both become the GPU
run's weight average; its step, learning-rate schedule, optimizer moments and data stream stay, so the CPU run goes
on with the same command plus --resume from where its schedule stood, now from the GPU-trained weights. The Adam
moments were measured on the CPU run's weights, but they only scale the steps and follow the new gradients within
a few hundred steps (beta2 = 0.999).

    python3 training/gpu/graft.py --result OUT/gpu-result.pt --checkpoint training/checkpoints/nsnet-ee-v2.pt \\
        --out training/checkpoints/nsnet-ee-v2.pt

Stop the CPU run first (it rewrites its checkpoint every few minutes). Both validations are printed: graft only
when the GPU run's is the better one. Steps the CPU run made after the pack was built are replaced.
"""
import argparse
import copy
from pathlib import Path

import torch


def graft(result: dict, ckpt: dict) -> dict:
    if result['sizes'] != ckpt['sizes']:
        raise ValueError(f"the GPU result has sizes {result['sizes']}, the checkpoint {ckpt['sizes']}")
    return {**ckpt, 'model': copy.deepcopy(result['ema']), 'ema': copy.deepcopy(result['ema']),
            'last_valid': result['last_valid']}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--result', type=Path, required=True, help="the GPU job's gpu-result.pt")
    p.add_argument('--checkpoint', type=Path, required=True, help="the CPU run's checkpoint")
    p.add_argument('--out', type=Path, required=True, help='where the grafted checkpoint goes (may be --checkpoint)')
    args = p.parse_args(argv)
    result = torch.load(args.result, map_location='cpu', weights_only=False)
    ckpt = torch.load(args.checkpoint, map_location='cpu', weights_only=False)
    print(f"CPU run: step {ckpt['step']}, last validation {ckpt.get('last_valid')}")
    print(f"GPU run: from CPU step {result['init']['step']} ({result['init']['source']}), {result['step']} steps of "
          f"batch {result['args']['batch']} in {result['elapsed_s']:.0f} s, last validation {result['last_valid']}")
    if ckpt['step'] > (result['init']['step'] or 0):
        print(f"note: the CPU run's steps {result['init']['step']}..{ckpt['step']} are replaced by the GPU run")
    grafted = graft(result, ckpt)
    tmp = args.out.with_suffix('.tmp')
    torch.save(grafted, tmp)
    tmp.replace(args.out)
    print(f"wrote {args.out}: resume the CPU run with its own command and --resume (it goes on at step {ckpt['step']})")


if __name__ == '__main__':
    main()
