"""Export a train_fsenet.py checkpoint (its weight average) to a tinyhush model file, then prove it: the file,
run frame by frame by training/gates.py (reference.py plus the proposed gate decisions), must give the training
model's masks (max |difference| <= 1e-5 under the training model's decisions) and the same decisions (except
where a logit is within 1e-4 of 0), or no file is left behind.

    python3 training/export_fsenet.py --checkpoint training/runs/fsenet-dyn/last.pt --out models/fsenet-dyn.thm

A dynamic checkpoint is written with its gates: per block the gate layers (`blockN.gate.hidden`,
`blockN.gate.logits`, dense layers with the proposed `ratioWeight`) and a gate entry with the proposed
`decision` field. A static checkpoint (--mode static) is written without gates, each block's kept channels only
(smaller expand, depthwise and project layers). The input normalisation is folded into fc_in.

--int8-weights stores the blocks' pointwise and gate matrices (over 90 % of the weights) as int8 codes with one f32
scale per row (docs/model-format.md, "Packed integers"; the engine expands them to f32 at load), a quarter of
the bytes: the model's own weights are rounded to those values first, so the check above holds unchanged.
"""
import argparse
import datetime
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

import gates as gate_ref
import reference
import stft
import thm
from models.fsenet import FSENet
from run_command import command_line
from train_fsenet import load_model

REPO = Path(__file__).resolve().parent.parent
CHECK_WAV = REPO / 'examples/noisy-sample.wav'
CHECK_SECONDS = 3.0
TOLERANCE = 1e-5
DECISION_MARGIN = 1e-4


def fold_norm(model: FSENet):
    """fc_in's weight and bias with the feature normalisation folded in: W ((x - m) / s) + b."""
    w, b = model.fc_in.weight.detach(), model.fc_in.bias.detach()
    return w / model.norm.std, b - w @ (model.norm.mean / model.norm.std)


def dense(name: str, inp: str, lin: torch.nn.Linear, act: str, tensors: dict, weight=None, bias=None,
          ratio_weight=None) -> dict:
    tensors[f'{name}.weight'] = lin.weight if weight is None else weight
    tensors[f'{name}.bias'] = lin.bias if bias is None else bias
    layer = {'name': name, 'op': 'dense', 'input': inp, 'in': tensors[f'{name}.weight'].shape[1],
             'out': tensors[f'{name}.weight'].shape[0], 'activation': act, 'weight': f'{name}.weight',
             'bias': f'{name}.bias'}
    if ratio_weight is not None:
        tensors[f'{name}.ratioWeight'] = ratio_weight
        layer['ratioWeight'] = f'{name}.ratioWeight'
    return layer


def layers_and_tensors(model: FSENet) -> tuple[list, list, dict]:
    """Model-file layers (execution order), gates and f32 tensors."""
    layers, gates, tensors = [], [], {}
    layers.append(dense('fc_in', 'features', model.fc_in, 'none', tensors, *fold_norm(model)))
    prev = 'fc_in'
    for i, block in enumerate(model.blocks):
        p = f'block{i}'
        keep = (model.static_masks[i] > 0) if model.static else torch.ones(block.dw_bias.shape[0], dtype=torch.bool)
        if not model.static:
            g = block.gate
            layers.append(dense(f'{p}.gate.hidden', prev, g.hidden, 'relu', tensors, ratio_weight=g.hidden_ratio))
            layers.append(dense(f'{p}.gate.logits', f'{p}.gate.hidden', g.logits, 'none', tensors,
                                ratio_weight=g.logits_ratio))
        layers.append(dense(f'{p}.expand', prev, block.expand, 'relu', tensors,
                            block.expand.weight[keep], block.expand.bias[keep]))
        channels = int(keep.sum())
        tensors[f'{p}.dw.weight'], tensors[f'{p}.dw.bias'] = block.dw_weight[keep], block.dw_bias[keep]
        layers.append({'name': f'{p}.dw', 'op': 'dwconv', 'input': f'{p}.expand', 'channels': channels,
                       'kernel': block.kernel, 'dilation': block.dilation, 'activation': 'relu',
                       'weight': f'{p}.dw.weight', 'bias': f'{p}.dw.bias'})
        layers.append(dense(f'{p}.project', f'{p}.dw', block.project, 'none', tensors,
                            block.project.weight[:, keep], block.project.bias))
        layers.append({'name': f'{p}.add', 'op': 'add', 'inputs': [prev, f'{p}.project'],
                       'size': model.sizes['width'], 'activation': 'none'})
        if not model.static:
            gates.append({'name': p, 'channels': channels, 'expand': f'{p}.expand', 'depthwise': f'{p}.dw',
                          'project': f'{p}.project', 'decision': f'{p}.gate.logits'})
        prev = f'{p}.add'
    layers.append(dense('out', prev, model.out, 'sigmoid', tensors))
    return layers, gates, {k: v.detach().numpy().astype(np.float32) for k, v in tensors.items()}


@torch.no_grad()
def round_weights_to_int8_(model: FSENet) -> list:
    """Rounds each block's matrices (expand, project, the gate's two) to per-row int8 (thm.quantize) in place and
    returns their tensor names in the file. A static model's pruned channels are zeroed first (their expand rows
    and project columns never reach the output), so a row's scale is that of the kept part the file holds."""
    if model.static:
        for block, mask in zip(model.blocks, model.static_masks):
            block.expand.weight[mask == 0] = 0
            block.project.weight[:, mask == 0] = 0
    names = []
    for i, block in enumerate(model.blocks):
        gate = [] if model.static else [('gate.hidden', block.gate.hidden), ('gate.logits', block.gate.logits)]
        for name, lin in [('expand', block.expand), ('project', block.project), *gate]:
            codes, scale = thm.quantize(lin.weight.numpy(), 8)
            lin.weight.copy_(torch.from_numpy(codes.astype(np.float32) * scale[:, None]))
            names.append(f'block{i}.{name}.weight')
    return names


def encode_int8(tensors: dict, names: list) -> dict:
    """`tensors` with each of `names` (already on the int8 grid, round_weights_to_int8_) as int8 codes plus a
    `NAME.scale` f32 tensor; the decoded values equal the rounded weights up to the last bit of the scale."""
    out = dict(tensors)
    for name in names:
        codes, scale = thm.quantize(tensors[name], 8)
        decoded = codes.astype(np.float32) * scale[:, None]
        if np.abs(decoded - tensors[name]).max() > 1e-6 * np.abs(tensors[name]).max():
            raise ValueError(f'{name}: not on the int8 grid (call round_weights_to_int8_ first)')
        out[name] = {'dtype': 'int8', 'codes': codes, 'scale': f'{name}.scale'}
        out[f'{name}.scale'] = scale
    return out


def git_commit() -> str:
    run = lambda *a: subprocess.run(['git', *a], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return run('rev-parse', 'HEAD') + ('-dirty' if run('status', '--porcelain', '--', 'training') else '')


def header(model: FSENet, layers: list, gates: list, name: str, ckpt: dict) -> dict:
    args = ckpt.get('args', {})
    command = command_line('train_fsenet.py', args)
    kind = ('static: channels pruned once by importance' if model.static
            else 'dynamic channel pruning: per-frame gates, run-time ratio')
    return {
        'format': 'tinyhush-model', 'version': 1, 'name': name,
        'description': f'Conv-FSENet-style causal mask estimator ({kind}).',
        'architecture': 'conv-mask', 'sampleRate': 16000,
        'stft': {'window': 'sqrt-hann', 'windowLength': stft.WIN, 'hop': stft.HOP, 'fftSize': stft.WIN},
        'features': {'type': 'log10-power', 'epsilon': stft.EPS, 'bins': stft.BINS},
        'layers': layers,
        'exits': [{'name': 'full', 'output': 'out', 'layers': [layer['name'] for layer in layers]}],
        'gates': gates, 'skippedState': 'hold',
        'provenance': {
            'data': {'splits': 'training/splits.py', 'mixing': 'training/data.py'},
            'training': {'command': command, 'steps': int(ckpt['step']), 'seconds': round(float(ckpt['elapsed_s'])),
                         'sizes': model.sizes},
            'export': {'command': 'python3 ' + ' '.join(map(shlex.quote, sys.argv)), 'gitCommit': git_commit(),
                       'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')},
        },
    }


@torch.no_grad()
def verify(model: FSENet, path: Path, ratio: float, x: np.ndarray) -> dict:
    """Runs the written file frame by frame under the training model's decisions at `ratio`."""
    h, tensors = thm.read_model(path)
    spec, feats = reference.features(torch.from_numpy(x))
    want, decisions = model(feats[None], None if model.static else torch.tensor([ratio]))
    net = gate_ref.GatedInterpreter(h, tensors, ratio)
    got, flips, macs = [], 0, []
    for t in range(feats.shape[0]):
        forced = [d[0, t] for d in decisions] or None
        got.append(net.step_gated(feats[t], forced))
        for k, logits in enumerate(net.logits if forced else []):
            own = logits > 0
            flips += int(((own != (forced[k] > 0)) & (logits.abs() > DECISION_MARGIN)).sum())
        macs.append(gate_ref.frame_macs(h, net.decisions) if forced else reference.macs_per_frame(h, 0))
    diff = float((torch.stack(got) - want[0]).abs().max())
    return {'ratio': ratio, 'maxDiff': diff, 'decisionFlips': flips, 'macsPerFrame': float(np.mean(macs)),
            'share': float(np.mean([float(d.mean()) for d in decisions])) if decisions else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', type=Path, required=True)
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--name', default='fsenet-dyn')
    ap.add_argument('--check-seconds', type=float, default=CHECK_SECONDS)
    ap.add_argument('--int8-weights', action='store_true', help='blocks\' matrices as int8 codes, per-row scales')
    args = ap.parse_args()

    torch.set_num_threads(1)
    ckpt = torch.load(args.checkpoint, map_location='cpu', weights_only=False)
    model = load_model(ckpt['ema'], ckpt['sizes']).eval()
    int8 = round_weights_to_int8_(model) if args.int8_weights else []
    layers, gates, tensors = layers_and_tensors(model)
    tensors = encode_int8(tensors, int8)
    tmp = args.out.with_suffix('.tmp')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    thm.write_model(tmp, header(model, layers, gates, args.name, ckpt), tensors)
    x, _ = sf.read(CHECK_WAV, dtype='float32', frames=int(args.check_seconds * 16000))
    x = x[:len(x) // stft.HOP * stft.HOP]
    checks = [verify(model, tmp, r, x) for r in ([1.0] if model.static else (0.25, 0.5, 1.0))]
    if any(c['maxDiff'] > TOLERANCE or c['decisionFlips'] for c in checks):
        tmp.unlink()
        raise SystemExit(f'export check failed: {checks}')
    tmp.replace(args.out)
    print(f'{args.out}: {args.out.stat().st_size} B, {len(gates)} gates; per ratio: {checks}')


if __name__ == '__main__':
    main()
