"""A short quantization-aware fine-tune of a model file at one homogeneous configuration: the float
weights train through the fake-quant layers (straight-through estimator), loss = -(SI-SDR of exit 0 +
SI-SDR of the full exit) on training mixtures; then ptq.py's scoring on the validation mixtures, before
and after. Writes no model file (the exporter is the next step).

    python3 training/quant/qat.py --config w3a16 [--steps 150] [--batch 4] [--seconds 3] [--lr 1e-4]
"""
import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import stft  # noqa: E402
import thm  # noqa: E402
from data import Mixer  # noqa: E402
from loss import si_sdr  # noqa: E402
from models.nsnet_ee import from_model_file  # noqa: E402
from quant.ptq import CALIBRATION_SEED, VALID_SEED, FakeQuantNsNetEE, calibrate, config, enhance  # noqa: E402

TRAIN_SEED = 780


def validation_scores(quant, noisy, clean) -> list:
    with torch.no_grad():
        outs = enhance(lambda f: quant(f), noisy)
    return [float(si_sdr(e, clean[:, :e.shape[1]]).mean()) for e in outs]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', type=Path, default=Path('models/nsnet-ee-f32.thm'))
    ap.add_argument('--config', default='w3a16')
    ap.add_argument('--steps', type=int, default=150)
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--seconds', type=float, default=3.0)
    ap.add_argument('--lr', type=float, default=1e-4)
    ap.add_argument('--valid', type=int, default=16)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = from_model_file(*thm.read_model(str(args.model)))
    calib_noisy, _ = Mixer('train', CALIBRATION_SEED, 8.0).batch(8)
    peaks = calibrate(model.eval(), stft.log_power(stft.stft(calib_noisy)))
    w, a = (int(v) for v in args.config[1:].split('a'))
    quant = FakeQuantNsNetEE(model, config(w, a), peaks)
    valid_noisy, valid_clean = Mixer('valid', VALID_SEED, 8.0).batch(args.valid)
    with torch.no_grad():
        float_scores = [float(si_sdr(e, valid_clean[:, :e.shape[1]]).mean())
                        for e in enhance(lambda f: [m for k, m in enumerate(model(f)) if k != 1], valid_noisy)]
    print(f'float: exit 0 {float_scores[0]:.3f}, full {float_scores[1]:.3f} dB')
    before = validation_scores(quant, valid_noisy, valid_clean)
    print(f'{args.config} post-training: exit 0 {before[0]:.3f}, full {before[1]:.3f} dB')
    mixer = Mixer('train', TRAIN_SEED, args.seconds)
    params = [p for name, p in model.named_parameters() if not name.startswith(('presence.', 'exit1.'))]
    opt = torch.optim.Adam(params, lr=args.lr)
    start = time.time()
    for step in range(1, args.steps + 1):
        noisy, clean = mixer.batch(args.batch)
        outs = enhance(quant, noisy)
        loss = -sum(si_sdr(e, clean[:, :e.shape[1]]).mean() for e in outs)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 25 == 0:
            print(f'step {step}: loss {loss.item():.3f} ({time.time() - start:.0f} s)', flush=True)
    after = validation_scores(quant.eval(), valid_noisy, valid_clean)
    print(f'{args.config} after {args.steps} QAT steps: exit 0 {after[0]:.3f}, full {after[1]:.3f} dB '
          f'(vs float {after[0] - float_scores[0]:+.3f} {after[1] - float_scores[1]:+.3f})')


if __name__ == '__main__':
    main()
