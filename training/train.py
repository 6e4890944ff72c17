"""Train the nsnet-ee early-exit denoiser, jointly (weighted sum of exit losses) or layer-wise
(stage k trains exit k's new backbone part and head with the earlier stages frozen).

  python3 training/train.py --mode joint --steps 2000 --batch 16 --crop-seconds 5 --threads 1 --out training/runs/joint

Writes to --out: log.csv (train loss; on the fixed validation set (valid_set.py): loss and SI-SDR improvement
per exit, the full exit's improvement per input level, the speech-presence ROC AUC), and the checkpoint
(--ckpt, default OUT/last.pt, every --ckpt-minutes and at the end; --resume continues from it exactly: weights,
weight average, optimizer, schedule position and the mixer's random state). train.log via the caller's redirect.
The learning-rate schedule is fixed by --steps when the run starts: warm-up, then one cosine to the end.
--max-minutes bounds a run by wall-clock training time instead (a GPU job, training/gpu/): the run ends at --steps or
when the minutes are spent, whichever comes first, and the cosine follows whichever of the two is further along.
"""
import argparse
import copy
import csv
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
import thm  # noqa: E402
import valid_set  # noqa: E402
from data import Mixer, parallel_batches  # noqa: E402
from loss import (SpectralTarget, enhancement_loss, presence_labels, presence_loss, si_sdr,  # noqa: E402
                  switch_schedule, switching_loss)
from models.nsnet_ee import NsNetEE, from_model_file, load_checkpoint  # noqa: E402
from run_command import parse_sizes  # noqa: E402

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
    p.add_argument('--ckpt', type=Path, help='checkpoint file (default OUT/last.pt)')
    p.add_argument('--resume', action='store_true', help='continue from the checkpoint (--steps may not change)')
    p.add_argument('--shorten-to', type=int,
                   help='with --resume, joint mode: end the schedule at this step instead of the plan\'s --steps; the '
                        'cosine continues from where it stands (no restart) and the checkpoint records the new plan '
                        '(later resumes pass --steps N)')
    p.add_argument('--init-from', type=Path,
                   help='a new run starts from the weights of this nsnet-ee model file, or of a train.py checkpoint '
                        '(.pt: its weight average, feature normalisation included)')
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--warmup', type=int, default=100, help='linear warm-up steps')
    p.add_argument('--ema', type=float, default=0.999, help='decay of the weight average that is validated and exported')
    p.add_argument('--over', type=float, default=1.0,
                   help='over-suppression weight: extra penalty where the estimate falls below the clean magnitude')
    p.add_argument('--presence-weight', type=float, default=0.1, help='weight of the speech-presence head\'s loss')
    p.add_argument('--switch-prob', type=float, default=1.0,
                   help='share of steps that add the exit-switching term (it costs two more exit losses)')
    p.add_argument('--sisdr-weight', type=float, default=0.0,
                   help='weight of the SI-SDR term (dB) added to the compressed spectral loss; 0 = spectral only')
    p.add_argument('--exit-weights', default='1,1,1', help='joint mode: weights of the exit losses')
    p.add_argument('--switch-weight', type=float, default=0.0,
                   help='joint mode: weight of the exit-switching loss (loss.switching_loss) added to the exit losses')
    p.add_argument('--stop-at', type=int, help='checkpoint and stop at this step (the schedule still ends at --steps)')
    p.add_argument('--max-minutes', type=float,
                   help='joint mode: the run also ends when this much training time (elapsed_s, kept across resumes) '
                        'is spent; the cosine then decays over the time as well (whichever of steps and time is '
                        'further along); validated and checkpointed at the end')
    p.add_argument('--valid-every', type=int, default=200)
    p.add_argument('--ckpt-minutes', type=float, default=3.0)
    p.add_argument('--seed', type=int, default=1)
    return p.parse_args(argv)


def stage_of(step: int, steps: int, mode: str) -> int:
    """Layer-wise: equal thirds of the steps per stage. Joint: a single stage (reported as -1)."""
    return min(step * EXITS // steps, EXITS - 1) if mode == 'layerwise' else -1


def stage_bounds(stage: int, steps: int, mode: str):
    if mode == 'joint':
        return 0, steps
    return math.ceil(stage * steps / EXITS), math.ceil((stage + 1) * steps / EXITS)


def learning_rate(step: int, start: int, end: int, peak: float, warmup: int, time_progress: float = 0.0,
                  replan: dict | None = None) -> float:
    """Linear warm-up, then cosine decay to peak/10 at the end of the stage (or of the time budget: `time_progress`
    is the share of --max-minutes spent; `replan`: see plan_progress)."""
    t = step - start
    if t < warmup:
        return peak * (t + 1) / warmup
    progress = min(1.0, max(time_progress, plan_progress(step, start, end, warmup, replan)))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def plan_progress(step: int, start: int, end: int, warmup: int, replan: dict | None = None) -> float:
    """Share of the cosine done at `step`. `replan` ({'at', 'progress'}, from --shorten-to): from step `at`, where the
    cosine stood at `progress`, it goes on to its end at `end` instead of the original plan's."""
    if replan is not None and step >= replan['at']:
        return replan['progress'] + (1 - replan['progress']) * (step - replan['at']) / max(1, end - replan['at'])
    return max(0.0, (step - start - warmup) / max(1, end - start - warmup))


def shortened_plan(step: int, steps: int, new_steps: int, warmup: int, replan: dict | None) -> dict:
    """--shorten-to: the schedule position at `step` under the current plan, kept so the cosine continues from it."""
    if not step < new_steps < steps:
        raise ValueError(f'--shorten-to {new_steps} must lie between the checkpoint step {step} and the plan\'s {steps}')
    return {'at': step, 'progress': plan_progress(step, 0, steps, warmup, replan), 'fromSteps': steps}


def batch_source(args, mixer: Mixer, step: int):
    """The run's next-batch function: `mixer` in this process (--workers 0, the exactly resumable way), else
    --workers mixing processes (data.parallel_batches, seeded by `step`)."""
    if not args.workers:
        return lambda: mixer.batch(args.batch)
    batches = parallel_batches('train', args.seed, args.crop_seconds, args.batch, step, args.workers,
                               pin_memory=args.device != 'cpu')
    return lambda: next(batches)


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


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (probability that a positive outranks a negative; ties count half)."""
    order = np.argsort(scores, kind='mergesort')
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)     # average rank of ties, 1-based
    pos = labels.astype(bool)
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / max(1, n_pos * n_neg))


@torch.no_grad()
def validate(model: NsNetEE, valid: dict, device: str, batch: int = 16) -> dict:
    """On the fixed validation set: mean loss and SI-SDR improvement (dB) per exit, the full exit's improvement
    per input level, and the speech-presence ROC AUC over all frames."""
    noisy_all, clean_all = valid_set.tensors(valid)
    losses, gains = np.zeros(EXITS), np.zeros((EXITS, len(noisy_all)))
    probs, labels = [], []
    for i in range(0, len(noisy_all), batch):
        noisy, clean = noisy_all[i:i + batch].to(device), clean_all[i:i + batch].to(device)
        x, s, feats = spectra(noisy, clean)
        target = SpectralTarget(x, s)
        base = si_sdr(noisy, clean)
        h1 = model.shallow(feats)
        probs.append(model.presence(h1).flatten().cpu().numpy())
        labels.append(presence_labels(s).flatten().cpu().numpy())
        for k, mask in enumerate(model(feats, h1=h1)):
            losses[k] += target.loss(mask).item() * len(noisy)
            enhanced = stft.istft_aligned(mask * x)
            gains[k, i:i + batch] = (si_sdr(enhanced, clean[:, :enhanced.shape[1]]) - base).cpu().numpy()
    by_level = {f'{level:g}': float(gains[-1][valid['level'] == level].mean()) for level in valid_set.LEVELS_DBFS}
    return {'loss': losses / len(noisy_all), 'sisdri': gains.mean(1), 'full_by_level': by_level,
            'presence_auc': roc_auc(np.concatenate(probs), np.concatenate(labels))}


def save(path: Path, **state):
    tmp = path.with_suffix('.tmp')
    torch.save(state, tmp)
    tmp.replace(path)


def ema_update(ema: NsNetEE, model: NsNetEE, decay: float):
    with torch.no_grad():
        for avg, p in zip(ema.parameters(), model.parameters()):
            avg.lerp_(p, 1 - decay)
        for avg, b in zip(ema.buffers(), model.buffers()):
            avg.copy_(b)


def new_model(args, mixer: Mixer) -> NsNetEE:
    if args.init_from and args.init_from.suffix == '.pt':
        return load_checkpoint(args.init_from).train()
    if args.init_from:
        return from_model_file(*thm.read_model(args.init_from))
    model = NsNetEE(**args.sizes)
    model.norm.set_stats(*feature_stats(mixer))
    return model


LOG_COLUMNS = (['step', 'stage', 'elapsed_s', 'lr', 'train_loss'] + [f'valid_loss_exit{k}' for k in range(EXITS)]
               + [f'valid_sisdri_exit{k}' for k in range(EXITS)]
               + [f'valid_sisdri_full_{level:g}dBFS' for level in valid_set.LEVELS_DBFS] + ['valid_presence_auc'])


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path, log_path = args.ckpt or args.out / 'last.pt', args.out / 'log.csv'
    weights = torch.tensor([float(w) for w in args.exit_weights.split(',')], device=args.device)
    if len(weights) != EXITS:
        raise ValueError(f'--exit-weights needs {EXITS} comma-separated numbers, got {args.exit_weights!r}')
    if args.max_minutes is not None and args.mode != 'joint':
        raise ValueError('--max-minutes needs --mode joint (layer-wise stages are placed by step)')

    mixer = Mixer('train', args.seed, args.crop_seconds)
    valid = valid_set.load()
    step, elapsed, ckpt, replan = 0, 0.0, None, None
    if args.shorten_to is not None and not args.resume:
        raise ValueError('--shorten-to re-plans a run being resumed: give --resume')
    if args.resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=args.device, weights_only=False)
        if args.sizes and {**ckpt['sizes'], **args.sizes} != ckpt['sizes']:
            raise ValueError(f"--sizes {args.sizes} differ from the checkpoint's {ckpt['sizes']}")
        if args.steps != ckpt['args']['steps']:
            raise ValueError(f"--steps {args.steps} differs from the run's plan ({ckpt['args']['steps']}): the schedule "
                             'is fixed when a run starts; use --stop-at to pause earlier, --shorten-to to end it earlier')
        replan = ckpt.get('replan')
        if args.shorten_to is not None:
            if args.mode != 'joint' or args.max_minutes is not None:
                raise ValueError('--shorten-to needs --mode joint without --max-minutes')
            replan = shortened_plan(ckpt['step'], args.steps, args.shorten_to, args.warmup, replan)
            args.steps = args.shorten_to
        model = NsNetEE(**ckpt['sizes'])
        model.load_state_dict(ckpt['model'])
        step, elapsed = ckpt['step'], ckpt['elapsed_s']
        mixer.rng.bit_generator.state = ckpt['mixer_rng']
    else:
        model = new_model(args, mixer)
    ema = copy.deepcopy(model)
    if ckpt is not None and ckpt.get('ema'):
        ema.load_state_dict(ckpt['ema'])
    model.to(args.device)
    ema.to(args.device)
    next_batch = batch_source(args, mixer, step)
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
        writer.writerow(LOG_COLUMNS)
        log.flush()
    last_valid = ckpt.get('last_valid') if ckpt else None

    def checkpoint():
        ckpt_path.parent.mkdir(parents=True, exist_ok=True)
        save(ckpt_path, model=model.state_dict(), ema=ema.state_dict(), opt=opt.state_dict(), step=step, stage=stage,
             elapsed_s=elapsed, mixer_rng=mixer.rng.bit_generator.state, args=vars(args),
             sizes=model.sizes, exit_macs=model.exit_macs(), last_valid=last_valid, replan=replan)

    t0, last_ckpt, running = time.time() - elapsed, time.time(), []
    end = min(args.steps, args.stop_at or args.steps)
    budget_s = math.inf if args.max_minutes is None else args.max_minutes * 60
    while step < end and elapsed < budget_s:
        if stage_of(step, args.steps, args.mode) != stage:
            stage = stage_of(step, args.steps, args.mode)
            opt = make_optimizer(model, stage, args.lr)
        lr = learning_rate(step, *stage_bounds(stage, args.steps, args.mode), args.lr, args.warmup,
                           min(1.0, elapsed / budget_s), replan)
        for group in opt.param_groups:
            group['lr'] = lr
        noisy, clean = (t.to(args.device, non_blocking=True) for t in next_batch())
        x, s, feats = spectra(noisy, clean)
        target = SpectralTarget(x, s)
        exit_loss = lambda m: enhancement_loss(m, target, x, clean, args.sisdr_weight, args.over)
        h1 = model.shallow(feats)
        presence = args.presence_weight * presence_loss(model.presence(h1), presence_labels(s))
        if stage < 0:
            masks = model(feats, h1=h1)
            loss = (weights * torch.stack([exit_loss(m) for m in masks])).sum() / weights.sum()
            if args.switch_weight > 0 and mixer.rng.random() < args.switch_prob:
                schedule = switch_schedule(mixer.rng, len(noisy), x.shape[1]).to(args.device)
                loss = loss + args.switch_weight * switching_loss(masks, schedule, target, x, clean,
                                                                  args.sisdr_weight, args.over)
        else:
            loss = exit_loss(model(feats, max_exit=stage, h1=h1)[stage])
        loss = loss + (presence if stage <= 0 else 0)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g['params']], 3.0)
        opt.step()
        ema_update(ema, model, args.ema)
        step += 1
        elapsed = time.time() - t0
        running.append(loss.item())
        finished = step == args.steps or elapsed >= budget_s
        if step % args.valid_every == 0 or finished:
            v = validate(ema, valid, args.device)
            last_valid = {'step': step, 'sisdri': v['sisdri'].round(3).tolist(), 'fullByLevel': v['full_by_level'],
                          'presenceAuc': round(v['presence_auc'], 4)}
            writer.writerow([step, stage, round(elapsed, 1), f'{lr:.2e}', f'{np.mean(running):.5f}']
                            + [f'{x_:.5f}' for x_ in v['loss']] + [f'{g:.3f}' for g in v['sisdri']]
                            + [f'{g:.3f}' for g in v['full_by_level'].values()] + [f"{v['presence_auc']:.4f}"])
            log.flush()
            print(f"step {step} stage {stage} {elapsed:.0f}s loss {np.mean(running):.4f} valid SI-SDRi "
                  f"{np.round(v['sisdri'], 2).tolist()} full by level {v['full_by_level']} "
                  f"presence AUC {v['presence_auc']:.3f}", flush=True)
            running = []
        if time.time() - last_ckpt > args.ckpt_minutes * 60 or step == end or finished:
            checkpoint()
            last_ckpt = time.time()
    log.close()


if __name__ == '__main__':
    main()
