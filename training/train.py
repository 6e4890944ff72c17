"""Train the nsnet-ee early-exit denoiser, jointly (weighted sum of exit losses) or layer-wise
(stage k trains exit k's new backbone part and head with the earlier stages frozen).

  python3 training/train.py --mode joint --steps 2000 --batch 16 --crop-seconds 4 --threads 1 --out training/runs/joint

Writes to --out: log.csv (train loss; valid loss and SI-SDR improvement per exit), last.pt (checkpoint,
every --ckpt-minutes and at the end; --resume continues from it), train.log via the caller's redirect.
"""
import argparse
import csv
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
from data import Mixer, parallel_batches  # noqa: E402
from loss import compressed_spectral_loss, enhancement_loss, si_sdr, switch_schedule, switching_loss  # noqa: E402
from models.nsnet_ee import NsNetEE  # noqa: E402

EXITS = 3


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--mode', choices=('joint', 'layerwise'), required=True)
    p.add_argument('--steps', type=int, required=True, help='total optimizer steps (all stages together)')
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--crop-seconds', type=float, default=4.0)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu',
                   help='torch device (default: cuda when present, else cpu)')
    p.add_argument('--workers', type=int, default=0,
                   help='mixing processes; 0 mixes in the training process (bit-exact resume), N > 0 keeps a GPU fed '
                        '(each resume then draws fresh mixtures, seeded by the step)')
    p.add_argument('--sizes', type=parse_sizes, default={},
                   help='layer widths for a new run, e.g. gru2=400,fc=400 (NsNetEE arguments; a resume keeps the '
                        "checkpoint's)")
    p.add_argument('--out', type=Path, required=True)
    p.add_argument('--resume', action='store_true', help='continue from OUT/last.pt (--steps may be raised)')
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--sisdr-weight', type=float, default=0.0,
                   help='weight of the SI-SDR term (dB) added to the compressed spectral loss; 0 = spectral only')
    p.add_argument('--exit-weights', default='1,1,1', help='joint mode: weights of the exit losses')
    p.add_argument('--switch-weight', type=float, default=0.0,
                   help='joint mode: weight of the exit-switching loss (loss.switching_loss) added to the exit losses')
    p.add_argument('--stop-at', type=int, help='checkpoint and stop at this step (the schedule still ends at --steps)')
    p.add_argument('--valid-every', type=int, default=200)
    p.add_argument('--valid-size', type=int, default=64)
    p.add_argument('--ckpt-minutes', type=float, default=3.0)
    p.add_argument('--seed', type=int, default=1)
    return p.parse_args(argv)


def parse_sizes(text: str) -> dict:
    """'gru2=400,fc=400' -> {'gru2': 400, 'fc': 400}."""
    pairs = [item.split('=') for item in text.split(',') if item]
    if any(len(pair) != 2 for pair in pairs):
        raise argparse.ArgumentTypeError(f'expected name=width pairs, got {text!r}')
    return {name: int(width) for name, width in pairs}


def stage_of(step: int, steps: int, mode: str) -> int:
    """Layer-wise: equal thirds of the steps per stage. Joint: a single stage (reported as -1)."""
    return min(step * EXITS // steps, EXITS - 1) if mode == 'layerwise' else -1


def stage_bounds(stage: int, steps: int, mode: str):
    if mode == 'joint':
        return 0, steps
    return math.ceil(stage * steps / EXITS), math.ceil((stage + 1) * steps / EXITS)


def learning_rate(step: int, start: int, end: int, peak: float) -> float:
    """Linear warm-up over 100 steps, then cosine decay to peak/10 at the end of the stage."""
    t = step - start
    if t < 100:
        return peak * (t + 1) / 100
    progress = min(1.0, (t - 100) / max(1, end - start - 100))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def make_optimizer(model: NsNetEE, stage: int, lr: float):
    if stage < 0:
        params = list(model.parameters())
    else:
        for p in model.parameters():
            p.requires_grad_(False)
        params = [p for m in model.stage_modules(stage) for p in m.parameters()]
        for p in params:
            p.requires_grad_(True)
    return torch.optim.Adam(params, lr=lr)


def spectra(noisy, clean):
    x, s = stft.stft(noisy), stft.stft(clean)
    return x, s, stft.log_power(x)


def feature_stats(mixer: Mixer, batches: int = 8, batch: int = 16):
    feats = torch.cat([spectra(*mixer.batch(batch))[2].reshape(-1, stft.BINS) for _ in range(batches)])
    return feats.mean(0), feats.std(0)


@torch.no_grad()
def validate(model: NsNetEE, valid, device: str, batch: int = 16):
    """Mean loss and mean SI-SDR improvement (dB) per exit on the fixed validation mixtures."""
    noisy_all, clean_all = valid
    losses, gains = np.zeros(EXITS), np.zeros(EXITS)
    for i in range(0, len(noisy_all), batch):
        noisy, clean = noisy_all[i:i + batch].to(device), clean_all[i:i + batch].to(device)
        x, s, feats = spectra(noisy, clean)
        base = si_sdr(noisy, clean)
        for k, mask in enumerate(model(feats)):
            losses[k] += compressed_spectral_loss(mask * x, s).item() * len(noisy)
            enhanced = stft.istft_aligned(mask * x)
            gains[k] += (si_sdr(enhanced, clean[:, :enhanced.shape[1]]) - base).sum().item()
    return losses / len(noisy_all), gains / len(noisy_all)


def save(path: Path, **state):
    tmp = path.with_suffix('.tmp')
    torch.save(state, tmp)
    tmp.replace(path)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path, log_path = args.out / 'last.pt', args.out / 'log.csv'
    weights = torch.tensor([float(w) for w in args.exit_weights.split(',')], device=args.device)
    if len(weights) != EXITS:
        raise ValueError(f'--exit-weights needs {EXITS} comma-separated numbers, got {args.exit_weights!r}')

    mixer = Mixer('train', args.seed, args.crop_seconds)
    valid = Mixer('valid', 12345, args.crop_seconds).batch(args.valid_size)   # fixed, same for every run
    step, elapsed, ckpt = 0, 0.0, None
    if args.resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=args.device, weights_only=False)
        if args.sizes and {**ckpt['sizes'], **args.sizes} != ckpt['sizes']:
            raise ValueError(f"--sizes {args.sizes} differ from the checkpoint's {ckpt['sizes']}")
        model = NsNetEE(**ckpt['sizes'])
        model.load_state_dict(ckpt['model'])
        step, elapsed = ckpt['step'], ckpt['elapsed_s']
        mixer.rng.bit_generator.state = ckpt['mixer_rng']
    else:
        model = NsNetEE(**args.sizes)
        model.norm.set_stats(*feature_stats(mixer))
    model.to(args.device)
    if args.workers:
        batches = parallel_batches('train', args.seed, args.crop_seconds, args.batch, step, args.workers,
                                   pin_memory=args.device != 'cpu')
        next_batch = lambda: next(batches)
    else:
        next_batch = lambda: mixer.batch(args.batch)
    print(f'{args.mode}: exit MACs/frame {model.exit_macs()}, params {sum(p.numel() for p in model.parameters())}',
          flush=True)

    stage = stage_of(step, args.steps, args.mode)
    opt = make_optimizer(model, stage, args.lr)
    if ckpt is not None and ckpt['stage'] == stage:
        opt.load_state_dict(ckpt['opt'])
    new_log = ckpt is None or not log_path.exists() or log_path.stat().st_size == 0
    if not new_log:                                 # rows logged after the checkpoint get redone: drop them
        rows = list(csv.reader(open(log_path, newline='')))
        keep = [rows[0]] + [r for r in rows[1:] if int(r[0]) <= step]
        csv.writer(open(log_path, 'w', newline='')).writerows(keep)
    log = open(log_path, 'w' if new_log else 'a', newline='')
    writer = csv.writer(log)
    if new_log:
        writer.writerow(['step', 'stage', 'elapsed_s', 'lr', 'train_loss']
                        + [f'valid_loss_exit{k}' for k in range(EXITS)] + [f'valid_sisdri_exit{k}' for k in range(EXITS)])
        log.flush()

    def checkpoint():
        save(ckpt_path, model=model.state_dict(), opt=opt.state_dict(), step=step, stage=stage,
             elapsed_s=elapsed, mixer_rng=mixer.rng.bit_generator.state, args=vars(args),
             sizes=model.sizes, exit_macs=model.exit_macs())

    t0, last_ckpt, running = time.time() - elapsed, time.time(), []
    end = min(args.steps, args.stop_at or args.steps)
    while step < end:
        if stage_of(step, args.steps, args.mode) != stage:
            stage = stage_of(step, args.steps, args.mode)
            opt = make_optimizer(model, stage, args.lr)
        lr = learning_rate(step, *stage_bounds(stage, args.steps, args.mode), args.lr)
        for group in opt.param_groups:
            group['lr'] = lr
        noisy, clean = (t.to(args.device, non_blocking=True) for t in next_batch())
        x, s, feats = spectra(noisy, clean)
        if stage < 0:
            masks = model(feats)
            exit_losses = torch.stack([enhancement_loss(m, x, s, clean, args.sisdr_weight) for m in masks])
            loss = (weights * exit_losses).sum() / weights.sum()
            if args.switch_weight > 0:
                schedule = switch_schedule(mixer.rng, len(noisy), x.shape[1]).to(args.device)
                loss = loss + args.switch_weight * switching_loss(masks, schedule, x, s, clean, args.sisdr_weight)
        else:
            loss = enhancement_loss(model(feats, max_exit=stage)[stage], x, s, clean, args.sisdr_weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g['params']], 3.0)
        opt.step()
        step += 1
        elapsed = time.time() - t0
        running.append(loss.item())
        if step % args.valid_every == 0 or step == args.steps:
            vloss, vgain = validate(model, valid, args.device)
            writer.writerow([step, stage, round(elapsed, 1), f'{lr:.2e}', f'{np.mean(running):.5f}']
                            + [f'{v:.5f}' for v in vloss] + [f'{g:.3f}' for g in vgain])
            log.flush()
            print(f'step {step} stage {stage} {elapsed:.0f}s loss {np.mean(running):.4f} '
                  f'valid SI-SDRi {np.round(vgain, 2).tolist()}', flush=True)
            running = []
        if time.time() - last_ckpt > args.ckpt_minutes * 60 or step == end:
            checkpoint()
            last_ckpt = time.time()
    log.close()


if __name__ == '__main__':
    main()
