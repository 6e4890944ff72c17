"""Post-training quantization of a shipped float model through the fake-quant layers (fake.py), which
track the integer path to the bit (track.py), scored by SI-SDR against the float model on validation
mixtures (the same split and seed as valid_wavs.py). Writes no model file.

    python3 training/quant/ptq.py [--model models/nsnet-ee-f32.thm] [--count 8] [--seconds 6] [--config w8a8 w8a16]

Activation scales: max |value| over calibration mixtures from the training split (seed 779).
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import stft  # noqa: E402
import thm  # noqa: E402
from data import Mixer  # noqa: E402
from loss import si_sdr  # noqa: E402
from models.nsnet_ee import NsNetEE, from_model_file  # noqa: E402
from quant.fake_model import FakeQuantModel  # noqa: E402

VALID_SEED, CALIBRATION_SEED = 777, 779


def config(weight_bits: int, act_bits: int) -> dict:
    """A homogeneous configuration: every weight matrix `weight_bits`, every activation `act_bits`,
    pre-activations 16 bits, tables of 2^12 entries (2^10 at 8-bit activations), biases 32 bits."""
    table = 12 if act_bits > 8 else 10
    dense = lambda: dict(w=weight_bits, bias=32, out=act_bits)  # noqa: E731
    gru = dict(ir=weight_bits, iz=weight_bits, hr=weight_bits, hz=weight_bits, hn=weight_bits, bias=32,
               pre=dict(r=16, z=16, n=16), table=dict(r=table, z=table, n=table), r=act_bits, z=act_bits,
               n=act_bits, h=act_bits, **{'in': weight_bits})
    return dict(features=max(act_bits, 8), dense=dense, gru=gru, table=table)


def gru_peaks(gru: nn.GRU, x: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """Float GRU over x [B, T, in]: outputs and max |pre-activation| of r, z and n (n: also W_hn h + b_hn)."""
    w_ih, w_hh, b_ih, b_hh = gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0
    gi = x @ w_ih.T + b_ih
    h = x.new_zeros(x.shape[0], gru.hidden_size)
    peaks = dict(r=0.0, z=0.0, n=0.0)
    out = []
    for t in range(x.shape[1]):
        gh = h @ w_hh.T + b_hh
        ir, iz, i_n = gi[:, t].chunk(3, -1)
        hr, hz, hn = gh.chunk(3, -1)
        r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
        n_pre = i_n + r * hn
        for k, v in (('r', ir + hr), ('z', iz + hz), ('n', n_pre), ('n', hn)):
            peaks[k] = max(peaks[k], float(v.abs().max()))
        h = (1 - z) * torch.tanh(n_pre) + z * h
        out.append(h)
    return torch.stack(out, 1), peaks


@torch.no_grad()
def calibrate(model: NsNetEE, features: torch.Tensor) -> dict:
    """Max |value| of the features, of every dense layer's output (pre-activation for sigmoid layers)
    and of every GRU gate's pre-activation."""
    peak = lambda v: float(v.abs().max())  # noqa: E731
    p = {'features': peak(features)}
    a = torch.relu(model.fc_in(features))
    p['fc_in'] = peak(a)
    h1, p['gru1'] = gru_peaks(model.gru1, a)
    h2, p['gru2'] = gru_peaks(model.gru2, h1)
    for head, src in (('exit0', h1), ('exit1', h2)):
        anc = torch.relu(model.get_submodule(f'{head}.anc')(src))
        p[f'{head}.anc'] = peak(anc)
        p[f'{head}.mask'] = peak(model.get_submodule(f'{head}.mask')(anc))
    presence = torch.relu(model.presence.anc(h1))
    p['presence.anc'], p['presence.out'] = peak(presence), peak(model.presence.out(presence))
    f1 = torch.relu(model.fc1(h2))
    f2 = torch.relu(model.fc2(f1))
    p['fc1'], p['fc2'], p['exit2.mask'] = peak(f1), peak(f2), peak(model.exit2.mask(f2))
    return p


def homogeneous(layers: list, cfg: dict, peaks: dict) -> tuple[dict, dict]:
    """BitConfig and QuantScales JSON (docs/integer.md) of `layers` at the homogeneous configuration `cfg`,
    activation scales peak / (2^(B-1) - 1) from calibrate()'s peaks (pre-activations at 16 bits)."""
    top = lambda bits: 2 ** (bits - 1) - 1  # noqa: E731
    bits = {'features': cfg['features'], 'layers': {}}
    scales = {'features': peaks['features'] / top(cfg['features']), 'layers': {}}
    for layer in layers:
        name = layer['name']
        if layer['op'] == 'gru':
            bits['layers'][name] = cfg['gru']
            scales['layers'][name] = {'pre': {k: peaks[name][k] / top(16) for k in 'rzn'}}
        elif layer['activation'] in ('sigmoid', 'tanh'):
            bits['layers'][name] = dict(cfg['dense'](), pre=16, table=cfg['table'])
            scales['layers'][name] = {'pre': peaks[name] / top(16)}
        else:
            bits['layers'][name] = cfg['dense']()
            scales['layers'][name] = {'out': peaks[name] / top(bits['layers'][name]['out'])}
    return bits, scales


class FakeQuantNsNetEE(FakeQuantModel):
    """NsNetEE through fake-quant layers at a homogeneous configuration: features -> gains [B, T, 161] of
    exit 0 and of the full exit (exit 1 is left out: its layers are not on the full path)."""

    def __init__(self, model: NsNetEE, cfg: dict, peaks: dict):
        header = {'layers': model.layers(), 'exits': model.exits()}
        super().__init__(model, header, *homogeneous(header['layers'], cfg, peaks))

    def forward(self, features: torch.Tensor) -> list:
        gains = super().forward(features)
        return [gains[0], gains[-1]]


def enhance(masks_of, noisy: torch.Tensor) -> list:
    spec = stft.stft(noisy)
    return [stft.istft_aligned(m * spec) for m in masks_of(stft.log_power(spec))]


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', type=Path, default=Path('models/nsnet-ee-f32.thm'))
    ap.add_argument('--count', type=int, default=8)
    ap.add_argument('--calibration', type=int, default=8)
    ap.add_argument('--seconds', type=float, default=6.0)
    ap.add_argument('--config', nargs='+', default=['w8a8', 'w8a16'], help='wNaM: N-bit weights, M-bit activations')
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = from_model_file(*thm.read_model(str(args.model))).eval()
    calib_noisy, _ = Mixer('train', CALIBRATION_SEED, args.seconds).batch(args.calibration)
    peaks = calibrate(model, stft.log_power(stft.stft(calib_noisy)))
    noisy, clean = Mixer('valid', VALID_SEED, args.seconds).batch(args.count)
    score = lambda outs: [si_sdr(e, clean[:, :e.shape[1]]) for e in outs]  # noqa: E731
    float_scores = score(enhance(lambda f: [m for k, m in enumerate(model(f)) if k != 1], noisy))
    print(f'{args.count} validation mixtures of {args.seconds} s; SI-SDR mean (dB) of exit 0 and the full exit')
    print(f'float: {float_scores[0].mean():.3f} {float_scores[1].mean():.3f}')
    for name in args.config:
        w, a = (int(v) for v in name[1:].split('a'))
        quant = FakeQuantNsNetEE(model, config(w, a), peaks).double()
        scores = score(enhance(lambda f: [m.float() for m in quant(f.double())], noisy))
        diffs = [float((q - f).mean()) for q, f in zip(scores, float_scores)]
        worst = [float((q - f).min()) for q, f in zip(scores, float_scores)]
        print(f'{name}: {scores[0].mean():.3f} {scores[1].mean():.3f}  (vs float: mean {diffs[0]:+.3f} {diffs[1]:+.3f}, '
              f'worst file {worst[0]:+.3f} {worst[1]:+.3f})')


if __name__ == '__main__':
    main()
