"""Train fsenet-dyn (models/fsenet.py): the gated conv mask model (dynamic channel pruning), or its static
baseline (channels pruned once by importance, then fine-tuned).

  python3 training/train_fsenet.py --steps 24000 --out training/runs/fsenet-dyn
  python3 training/train_fsenet.py --mode static --static-ratio 0.25 --init-from training/runs/fsenet-dyn/last.pt \
      --steps 2000 --out training/runs/fsenet-static-0.25

Dynamic: every batch draws a target ratio r (1.0 with probability --p-full, else uniform in --ratio-range), the
gates see r, and the loss is the enhancement loss plus --ratio-weight times the gates' ratio loss.
Static: the --init-from checkpoint's weights (its weight average), each block keeping the --static-ratio share of
its channels that matter most (mean |depthwise output| x norm of the project column, over training mixtures), no
gates; trained for --steps like any run, so dynamic and static can be compared after the same number of steps.
A dynamic run given --init-from starts from that checkpoint's weight average with a new schedule (the GPU job).

--threads torch threads (1 here: two stall), --workers N mixing processes (data.parallel_batches; 0 mixes in this
process, the only exactly resumable way), --max-minutes ends the run on training time with the cosine spread over
it (as train.py's; the GPU job, training/gpu/).

Writes OUT/log.csv (validation on the fixed validation set, valid_set.py, at each ratio of --valid-ratios: SI-SDR
improvement, active share, executed MACs per frame) and ONE checkpoint (OUT/last.pt, every --ckpt-minutes and at
the end) holding all a resume needs: weights, weight average, optimizer, schedule position,
both random generators. --resume continues from it exactly; the schedule (warm-up, one cosine to --steps) is fixed
when a run starts (--shorten-to, on a resume, ends it earlier without a restart).
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
from data import Mixer  # noqa: E402
from loss import SpectralTarget, enhancement_loss, si_sdr  # noqa: E402
from models.fsenet import FSENet, active_shares, ratio_loss  # noqa: E402
from run_command import parse_sizes  # noqa: E402
from train import batch_source, ema_update, feature_stats, learning_rate, shortened_plan, spectra  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--mode', choices=('dynamic', 'static'), default='dynamic')
    p.add_argument('--steps', type=int, required=True, help='planned optimizer steps: the schedule ends here')
    p.add_argument('--stop-at', type=int, help='checkpoint and stop at this step (the schedule still ends at --steps)')
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--crop-seconds', type=float, default=4.0)
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--workers', type=int, default=0, help='mixing processes (0: mix in this process)')
    p.add_argument('--max-minutes', type=float, help='end on training time; the cosine spans it (a GPU job)')
    p.add_argument('--sizes', type=parse_sizes, default={}, help="FSENet arguments for a new run, e.g. width=64")
    p.add_argument('--out', type=Path, required=True)
    p.add_argument('--ckpt', type=Path, help='checkpoint file (default OUT/last.pt)')
    p.add_argument('--resume', action='store_true', help='continue from the checkpoint (--steps may not change)')
    p.add_argument('--shorten-to', type=int,
                   help='with --resume: end the schedule at this step instead of the plan\'s --steps; the cosine '
                        'continues from where it stands (as train.py; later resumes pass --steps N)')
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--warmup', type=int, default=200, help='linear warm-up steps')
    p.add_argument('--ema', type=float, default=0.999, help='decay of the weight average that is validated')
    p.add_argument('--sisdr-weight', type=float, default=0.01, help='SI-SDR term of loss.enhancement_loss')
    p.add_argument('--over', type=float, default=1.0, help='over-suppression weight of the spectral loss')
    p.add_argument('--ratio-range', type=parse_range, default=(0.25, 1.0), help='target ratios drawn per batch')
    p.add_argument('--p-full', type=float, default=0.2, help='share of batches trained at ratio 1.0 exactly')
    p.add_argument('--ratio-weight', type=float, default=4.0, help='weight of the gates\' ratio loss')
    p.add_argument('--static-ratio', type=float, help='static mode: share of each block\'s channels kept')
    p.add_argument('--init-from', type=Path, help='the checkpoint whose weight average a new run starts from '
                                                   '(static mode: the one pruned)')
    p.add_argument('--valid-ratios', type=parse_range, default=(0.25, 0.5, 1.0))
    p.add_argument('--valid-every', type=int, default=400)
    p.add_argument('--valid-clips', type=int, default=0, help='score only the first N validation clips (0 = all)')
    p.add_argument('--ckpt-minutes', type=float, default=3.0)
    p.add_argument('--seed', type=int, default=1)
    args = p.parse_args(argv)
    if args.mode == 'static' and (args.static_ratio is None or args.init_from is None) and not args.resume:
        p.error('--mode static needs --static-ratio and --init-from')
    return args


def parse_range(text: str) -> tuple:
    return tuple(float(v) for v in text.split(','))


@torch.no_grad()
def channel_importance(model: FSENet, mixer: Mixer, batches: int = 4, batch: int = 8) -> torch.Tensor:
    """[blocks, channels]: mean |depthwise output| with every channel on, times the norm of its project column
    (what removing the channel takes out of the residual stream)."""
    total = torch.zeros(len(model.blocks), model.sizes['channels'])
    for _ in range(batches):
        x = model.fc_in(model.norm(spectra(*mixer.batch(batch))[2]))
        for i, block in enumerate(model.blocks):
            total[i] += block.depthwise(torch.relu(block.expand(x))).abs().mean(dim=(0, 1))
            x = block(x, None)
    return total * torch.stack([b.project.weight.norm(dim=0) for b in model.blocks])


def static_masks(importance: torch.Tensor, share: float) -> torch.Tensor:
    keep = max(1, round(share * importance.shape[1]))
    masks = torch.zeros_like(importance)
    masks.scatter_(1, importance.topk(keep, dim=1).indices, 1.0)
    return masks


@torch.no_grad()
def validate(model: FSENet, valid: dict, ratios: tuple, device: str, clips: int = 0, batch: int = 16) -> list:
    """Per ratio (one entry for a static model): SI-SDR improvement (dB), active share and executed MACs/frame."""
    import valid_set
    noisy_all, clean_all = valid_set.tensors(valid)
    if clips:
        noisy_all, clean_all = noisy_all[:clips], clean_all[:clips]
    results = []
    for r in ([None] if model.static else ratios):
        gains, shares = [], []
        for i in range(0, len(noisy_all), batch):
            noisy, clean = noisy_all[i:i + batch].to(device), clean_all[i:i + batch].to(device)
            x, _, feats = spectra(noisy, clean)
            ratio = None if r is None else torch.full((len(noisy),), r, device=device)
            mask, gates = model(feats, ratio)
            enhanced = stft.istft_aligned(mask * x)
            gains.append(si_sdr(enhanced, clean[:, :enhanced.shape[1]]) - si_sdr(noisy, clean))
            shares.append(np.mean(active_shares(gates)) if gates else float(model.static_masks.mean()))
        share = float(np.mean(shares))
        results.append({'ratio': r, 'sisdri': float(torch.cat(gains).mean()), 'share': share,
                         'macs': model.macs(share, gated=not model.static)['total']})
    return results


def save(path: Path, **state):
    tmp = path.with_suffix('.tmp')
    torch.save(state, tmp)
    tmp.replace(path)


def load_model(state: dict, sizes: dict) -> FSENet:
    model = FSENet(**sizes)
    model.set_static_masks(state['static_masks'] if state['static_masks'].numel() else None)
    model.load_state_dict(state)
    return model


def new_model(args, mixer: Mixer) -> FSENet:
    if args.init_from is not None:
        source = torch.load(args.init_from, map_location='cpu', weights_only=False)
        model = load_model(source['ema'], source['sizes'])
        if args.mode == 'static' and not model.static:
            model.set_static_masks(static_masks(channel_importance(model, mixer), args.static_ratio))
        return model
    model = FSENet(**args.sizes)
    model.norm.set_stats(*feature_stats(mixer))
    return model


def log_columns(ratios: tuple, static: bool) -> list:
    tags = ['static'] if static else [f'{r:g}' for r in ratios]
    return (['step', 'elapsed_s', 'lr', 'train_loss', 'train_ratio_loss', 'train_share']
            + [f'valid_{k}_{t}' for t in tags for k in ('sisdri', 'share', 'macs')])


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path, log_path = args.ckpt or args.out / 'last.pt', args.out / 'log.csv'
    mixer = Mixer('train', args.seed, args.crop_seconds)
    ratio_rng = np.random.default_rng(args.seed + 7)
    step, elapsed, ckpt, replan = 0, 0.0, None, None
    if args.shorten_to is not None and not args.resume:
        raise ValueError('--shorten-to re-plans a run being resumed: give --resume')
    if args.resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location='cpu', weights_only=False)
        planned = ckpt['args']
        for key in ('steps', 'mode', 'batch', 'crop_seconds', 'lr', 'warmup', 'seed'):
            if getattr(args, key) != planned[key]:
                raise ValueError(f'--{key.replace("_", "-")} {getattr(args, key)} differs from the run\'s plan '
                                 f'({planned[key]}); a resumed run keeps its plan (--stop-at pauses earlier, '
                                 '--shorten-to ends it earlier)')
        replan = ckpt.get('replan')
        if args.shorten_to is not None:
            if args.max_minutes is not None:
                raise ValueError('--shorten-to needs a run planned by steps, without --max-minutes')
            replan = shortened_plan(ckpt['step'], args.steps, args.shorten_to, args.warmup, replan)
            args.steps = args.shorten_to
        model = load_model(ckpt['model'], ckpt['sizes'])
        step, elapsed = ckpt['step'], ckpt['elapsed_s']
        mixer.rng.bit_generator.state = ckpt['mixer_rng']
        ratio_rng.bit_generator.state = ckpt['ratio_rng']
        torch.set_rng_state(ckpt['torch_rng'])
    else:
        model = new_model(args, mixer)
    ema = copy.deepcopy(model)
    if ckpt is not None:
        ema.load_state_dict(ckpt['ema'])
    model.to(args.device)
    ema.to(args.device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    if ckpt is not None:
        opt.load_state_dict(ckpt['opt'])
    next_batch = batch_source(args, mixer, step)
    macs = model.macs()
    print(f'{args.mode}: MACs/frame {macs} (all channels, gates {"off" if model.static else "on"}); static share '
          f'{float(model.static_masks.mean()) if model.static else "-"}; params '
          f'{sum(p.numel() for p in model.parameters())}; step {step} of {args.steps}', flush=True)

    columns = log_columns(args.valid_ratios, model.static)
    new_log = ckpt is None or not log_path.exists() or log_path.stat().st_size == 0
    if not new_log:                                 # rows logged after the checkpoint get redone: drop them
        rows = list(csv.reader(open(log_path, newline='')))
        csv.writer(open(log_path, 'w', newline='')).writerows([rows[0]] + [r for r in rows[1:] if int(r[0]) <= step])
    log = open(log_path, 'w' if new_log else 'a', newline='')
    writer = csv.writer(log)
    if new_log:
        writer.writerow(columns)
        log.flush()
    valid, last_valid = None, ckpt.get('last_valid') if ckpt else None

    def checkpoint():
        save(ckpt_path, model=model.state_dict(), ema=ema.state_dict(), opt=opt.state_dict(), step=step,
             elapsed_s=elapsed, mixer_rng=mixer.rng.bit_generator.state, ratio_rng=ratio_rng.bit_generator.state,
             torch_rng=torch.get_rng_state(), args=vars(args), sizes=model.sizes, replan=replan,
             last_valid=last_valid)

    t0, last_ckpt, running = time.time() - elapsed, time.time(), []
    end = min(args.steps, args.stop_at or args.steps)
    budget_s = math.inf if args.max_minutes is None else args.max_minutes * 60
    while step < end and elapsed < budget_s:
        lr = learning_rate(step, 0, args.steps, args.lr, args.warmup, min(1.0, elapsed / budget_s), replan)
        for group in opt.param_groups:
            group['lr'] = lr
        noisy, clean = (t.to(args.device, non_blocking=True) for t in next_batch())
        x, s, feats = spectra(noisy, clean)
        target = SpectralTarget(x, s)
        if model.static:
            mask, gates = model(feats)
            r, r_loss = None, torch.zeros(())
        else:
            r = 1.0 if ratio_rng.random() < args.p_full else ratio_rng.uniform(*args.ratio_range)
            ratio = torch.full((len(noisy),), r, device=args.device)
            mask, gates = model(feats, ratio)
            r_loss = ratio_loss(gates, ratio)
        loss = enhancement_loss(mask, target, x, clean, args.sisdr_weight, args.over) + args.ratio_weight * r_loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 3.0)
        opt.step()
        ema_update(ema, model, args.ema)
        step += 1
        elapsed = time.time() - t0
        share = np.mean(active_shares(gates)) if gates else float(model.static_masks.mean())
        running.append((loss.item(), r_loss.item(), share))
        finished = step == args.steps or elapsed >= budget_s
        if step % args.valid_every == 0 or finished:
            if valid is None:
                import valid_set
                valid = valid_set.load()
            results = validate(ema, valid, args.valid_ratios, args.device, args.valid_clips)
            last_valid = {'step': step, 'results': results}
            mean = np.mean(running, axis=0)
            writer.writerow([step, round(elapsed, 1), f'{lr:.2e}', f'{mean[0]:.5f}', f'{mean[1]:.5f}', f'{mean[2]:.3f}']
                            + [f'{v:.4f}' if k != 'macs' else f'{v:.0f}' for res in results
                               for k, v in res.items() if k != 'ratio'])
            log.flush()
            print(f'step {step} {elapsed:.0f}s ({elapsed / step:.2f} s/step) loss {mean[0]:.4f} ratio loss '
                  f'{mean[1]:.4f} valid ' + '; '.join(f"r={res['ratio']}: SI-SDRi {res['sisdri']:.2f} dB, share "
                                                      f"{res['share']:.3f}, {res['macs']:.0f} MACs" for res in results),
                  flush=True)
            running = []
        elif step % 50 == 0:
            print(f'step {step} {elapsed:.0f}s ({elapsed / step:.2f} s/step) lr {lr:.2e} loss '
                  f'{np.mean([v[0] for v in running[-50:]]):.4f} last batch: target '
                  f'{r if r is None else round(r, 3)} share {share:.3f}', flush=True)
        if time.time() - last_ckpt > args.ckpt_minutes * 60 or step == end or finished:
            checkpoint()
            last_ckpt = time.time()
    log.close()


if __name__ == '__main__':
    main()
