"""Learned pruning jointly with quantization-aware training (issue 15, item 3): a float model file
fine-tuned through the fake-quant layers of a bit configuration (fake_model.py) while pruning.py's masks
rise on the gradual schedule to the target sparsity; then exported as an integer model file.

    python3 training/quant/train_pruned.py --kind weight|block|unit --sparsity S --steps N \\
        --bits BITS.json --scales SCALES.json --ckpt RUN.pt --out MODEL.thm \\
        [--model models/nsnet-ee-f32.thm] [--layer-sparsity FILE] [--resume] [--max-minutes M]

BITS.json / SCALES.json: the bit configuration and activation scales of docs/integer.md (or pass
--quantized INT.thm, a `tinyhush quantize` output, to read both from its provenance). --layer-sparsity:
per-layer final sparsities ({layer: share} JSON, or a model file written by `tinyhush prune`, whose
provenance holds the shares its sensitivity allocation chose); layers it does not name get --sparsity.

Loss: train.py's exit loss (loss.enhancement_loss: compressed spectral loss, optional SI-SDR term) of
every exit of the model file, averaged; with --distill W, plus W times the mean squared error between
each exit's mask gains and the unpruned float model's (qat_distill.py's loss), which keeps the pruned
model close to the one it came from rather than moving it with the recipe. Pruning runs from --prune-start to --prune-end (shares of the
steps), masks updated every --prune-every steps, then the rest fine-tunes at the final sparsity. The
weight average (EMA, masked) is validated and exported. Validation on the fixed validation set
(valid_set.py; --valid-count takes its first N mixtures): SI-SDR of exit 0 and of the full exit, and the
measured sparsity per layer, before the first step, every --valid-every steps and at the end. --ckpt holds everything a run needs
to continue exactly (--resume): weights, average, optimizer, masks, step, mixer state; written every
--ckpt-minutes and when the run stops (--steps or --stop-at reached, or --max-minutes of training time
spent in this call).
Export (at --steps): weight -> csr, block -> 4x4 block-sparse tensors for the pruned layers; unit ->
a smaller dense model (pruning.remove_units).
"""
import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thm  # noqa: E402
import train  # noqa: E402
import valid_set  # noqa: E402
from data import Mixer  # noqa: E402
from loss import SpectralTarget, enhancement_loss, si_sdr  # noqa: E402
from models.nsnet_ee import from_model_file  # noqa: E402
from quant import pruning  # noqa: E402
from quant.export_int import export_int  # noqa: E402
from quant.fake_model import FakeQuantModel  # noqa: E402
from quant.qat_distill import distillation_loss, teacher_masks  # noqa: E402
import stft  # noqa: E402

SPARSE_FORMAT = {'weight': 'csr', 'block': 'block'}  # export_int's --sparse kinds
RESUME_KEYS = ('model', 'kind', 'sparsity', 'steps', 'layer_sparsity', 'prune_start', 'prune_end', 'prune_every',
               'distill')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', type=Path, default=Path('models/nsnet-ee-f32.thm'), help='float model file to start from')
    p.add_argument('--kind', choices=pruning.KINDS, required=True)
    p.add_argument('--sparsity', type=float, required=True, help='final share of each prunable layer\'s weights, blocks or units')
    p.add_argument('--layer-sparsity', type=Path, help='per-layer final sparsities (JSON or a `tinyhush prune` model file)')
    p.add_argument('--steps', type=int, required=True)
    p.add_argument('--bits', type=Path, help='bit configuration JSON')
    p.add_argument('--scales', type=Path, help='activation scales JSON')
    p.add_argument('--quantized', type=Path, help='an integer model file whose provenance holds bits and scales')
    p.add_argument('--ckpt', type=Path, required=True, help='checkpoint file (written and resumed)')
    p.add_argument('--resume', action='store_true')
    p.add_argument('--out', type=Path, help='integer model file written at the end of the schedule')
    p.add_argument('--name', help='model name in the exported file (default <float name>-<kind><percent>-learned)')
    p.add_argument('--prune-start', type=float, default=0.0, help='share of the steps where pruning starts')
    p.add_argument('--prune-end', type=float, default=0.75, help='share of the steps where the final sparsity is reached')
    p.add_argument('--prune-every', type=int, default=50, help='steps between mask updates')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--crop-seconds', type=float, default=3.0)
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--warmup', type=int, default=0)
    p.add_argument('--ema', type=float, default=0.99)
    p.add_argument('--over', type=float, default=1.0, help='as train.py')
    p.add_argument('--sisdr-weight', type=float, default=0.01, help='as train.py')
    p.add_argument('--distill', type=float, default=0.0,
                   help='weight of the mean squared error to the unpruned float model\'s mask gains')
    p.add_argument('--valid-every', type=int, default=200)
    p.add_argument('--valid-count', type=int, help='first N mixtures of the fixed validation set (default all)')
    p.add_argument('--ckpt-minutes', type=float, default=3.0)
    p.add_argument('--max-minutes', type=float, help='stop (checkpointed) after this much training time; --resume continues')
    p.add_argument('--stop-at', type=int, help='checkpoint and stop at this step (the schedule still ends at --steps)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--seed', type=int, default=781)
    args = p.parse_args(argv)
    if (args.bits is None or args.scales is None) == (args.quantized is None):
        p.error('give --bits and --scales, or --quantized')
    return args


def bits_and_scales(args) -> tuple[dict, dict]:
    if args.quantized:
        quant = thm.read_model(str(args.quantized))[0]['provenance']['quantization']
        return quant['bits'], quant['scales']
    return json.loads(args.bits.read_text()), json.loads(args.scales.read_text())


@torch.no_grad()
def validate(fake_model, valid: dict, count: int | None, device: str, batch: int = 16) -> list:
    """Mean SI-SDR and SI-SDR improvement (dB) of exit 0 and of the full exit (the last) on the fixed set."""
    noisy_all, clean_all = valid_set.tensors(valid)
    noisy_all, clean_all = noisy_all[:count], clean_all[:count]
    sums = np.zeros((2, 2))
    for i in range(0, len(noisy_all), batch):
        noisy, clean = noisy_all[i:i + batch].to(device), clean_all[i:i + batch].to(device)
        x = stft.stft(noisy)
        gains = fake_model(stft.log_power(x))
        base = si_sdr(noisy, clean)
        for k, gain in enumerate((gains[0], gains[-1])):
            enhanced = stft.istft_aligned(gain * x)
            score = si_sdr(enhanced, clean[:, :enhanced.shape[1]])
            sums[k] += [float(score.sum()), float((score - base).sum())]
    return (sums / len(noisy_all)).round(3).tolist()


def export(header: dict, floats: dict, ema, pruner: pruning.Pruner, bits: dict, scales: dict, args, summary: dict) -> int:
    """Writes the masked weight average as an integer model file; returns its size in bytes."""
    floats = dict(floats)
    for layer in header['layers']:
        module = ema.get_submodule(layer['name'])
        keys = ({'weight': 'weight', 'bias': 'bias'} if layer['op'] == 'dense' else
                {'weightIh': 'weight_ih_l0', 'weightHh': 'weight_hh_l0', 'biasIh': 'bias_ih_l0', 'biasHh': 'bias_hh_l0'})
        for field, attr in keys.items():
            floats[layer[field]] = getattr(module, attr).detach().cpu().numpy().astype(np.float32)
    provenance = {**header['provenance'], 'pruning': summary}
    header = {**header, 'provenance': provenance}
    sparse = {}
    if args.kind == 'unit':
        header, floats = pruning.remove_units(header, floats, pruner.removed_units())
    else:
        sparse = {name: SPARSE_FORMAT[args.kind] for name, share in pruner.targets.items() if share > 0}
    name = args.name or f"{header['name']}-{args.kind}{round(100 * args.sparsity)}-learned"
    description = (f"{header['description']} Pruned while quantization-aware training: {args.kind}, "
                   f"{100 * summary['sparsity']:.1f} % (training/quant/train_pruned.py).")
    int_header, tensors = export_int(header, floats, bits, scales, name, description, sparse)
    return len(thm.write_model(args.out, int_header, tensors))


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    header, floats = thm.read_model(str(args.model))
    bits, scales = bits_and_scales(args)
    per_layer = pruning.read_layer_sparsities(args.layer_sparsity) if args.layer_sparsity else None
    targets = pruning.layer_targets(header, args.kind, args.sparsity, per_layer)
    schedule = pruning.for_run(args.steps, args.prune_every, args.prune_start, args.prune_end)
    model = from_model_file(header, floats)
    teacher = copy.deepcopy(model).to(args.device).eval().requires_grad_(False) if args.distill else None
    pruner = pruning.Pruner(header, bits, args.kind, targets, schedule)
    mixer = Mixer('train', args.seed, args.crop_seconds)
    step, elapsed, ckpt, history = 0, 0.0, None, []
    if args.resume and args.ckpt.exists():
        ckpt = torch.load(args.ckpt, map_location=args.device, weights_only=False)
        plan = {k: str(v) for k, v in ckpt['args'].items() if k in RESUME_KEYS}
        if plan != {k: str(getattr(args, k)) for k in RESUME_KEYS}:
            raise ValueError(f'the run in {args.ckpt} was planned as {plan}: resume it with the same settings')
        model.load_state_dict(ckpt['model'])
        pruner.load_state_dict(ckpt['pruner'], args.device)
        step, elapsed, history = ckpt['step'], ckpt['elapsed_s'], ckpt['history']
        mixer.rng.bit_generator.state = ckpt['mixer_rng']
    model.to(args.device)
    ema = copy.deepcopy(model)
    if ckpt is not None:
        ema.load_state_dict(ckpt['ema'])
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=args.lr)
    if ckpt is not None:
        opt.load_state_dict(ckpt['opt'])
    quant = FakeQuantModel(model, header, bits, scales).train()
    valid = valid_set.load()
    print(f'{args.kind} pruning to {args.sparsity} ({len(targets)} layers), {pruning.schedule_summary(schedule)}, '
          f'from step {step}', flush=True)

    def checkpoint():
        args.ckpt.parent.mkdir(parents=True, exist_ok=True)
        train.save(args.ckpt, model=model.state_dict(), ema=ema.state_dict(), opt=opt.state_dict(),
                   pruner=pruner.state_dict(), step=step, elapsed_s=elapsed, mixer_rng=mixer.rng.bit_generator.state,
                   args={k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}, history=history)

    def validation():
        pruner.apply(ema)
        scores = validate(FakeQuantModel(ema, header, bits, scales).eval(), valid, args.valid_count, args.device)
        measured = pruning.measured_sparsity(ema, pruner)
        entry = {'step': step, 'scheduled': {k: round(v, 4) for k, v in pruner.step_sparsity.items()},
                 'sisdr': {'exit0': scores[0][0], 'full': scores[1][0]},
                 'sisdri': {'exit0': scores[0][1], 'full': scores[1][1]}, 'sparsity': measured}
        history.append(entry)
        print(json.dumps(entry), flush=True)
        return entry

    if step == 0 and not history:
        validation()  # the starting point: the quantized model before fine-tuning and pruning
    t0, last_ckpt = time.time() - elapsed, time.time()
    budget_s = float('inf') if args.max_minutes is None else args.max_minutes * 60
    run_start = elapsed
    end = min(args.steps, args.stop_at or args.steps)
    while step < end and elapsed - run_start < budget_s:
        pruner.update(model, step)
        for group in opt.param_groups:
            group['lr'] = train.learning_rate(step, 0, args.steps, args.lr, args.warmup)
        noisy, clean = (t.to(args.device) for t in mixer.batch(args.batch))
        x, s, feats = train.spectra(noisy, clean)
        target = SpectralTarget(x, s)
        gains = quant(feats)
        loss = sum(enhancement_loss(g, target, x, clean, args.sisdr_weight, args.over) for g in gains) / len(gains)
        if teacher is not None:
            with torch.no_grad():
                reference = teacher_masks(teacher, header, feats)
            loss = loss + args.distill * distillation_loss(gains, reference)
        opt.zero_grad()
        loss.backward()
        pruner.mask_grads(model)
        torch.nn.utils.clip_grad_norm_(params, 3.0)
        opt.step()
        pruner.apply(model)
        train.ema_update(ema, model, args.ema)
        step += 1
        elapsed = time.time() - t0
        print(f'step {step} loss {loss.item():.4f} sparsity {max(pruner.step_sparsity.values(), default=0):.3f} '
              f'{elapsed:.0f}s', flush=True)
        if step % args.valid_every == 0 or step == args.steps:
            validation()
        if time.time() - last_ckpt > args.ckpt_minutes * 60:
            checkpoint()
            last_ckpt = time.time()
    checkpoint()
    if step < args.steps:
        print(f'stopped at step {step} of {args.steps}; continue with --resume', flush=True)
        return
    if args.out:
        final = history[-1] if history and history[-1]['step'] == step else validation()
        summary = {'from': header['name'], 'kind': args.kind, 'sparsity': round(final['sparsity']['all'], 4),
                   'method': 'learned: gradual magnitude pruning during quantization-aware training',
                   'schedule': pruning.schedule_summary(schedule), 'steps': step, 'layers': final['sparsity']['layers'],
                   'validation': {'sisdr': final['sisdr'], 'sisdri': final['sisdri'], 'count': args.valid_count or
                                  len(valid['noisy'])}}
        size = export(header, floats, ema, pruner, bits, scales, args, summary)
        print(f'{args.out}: {size} bytes', flush=True)


if __name__ == '__main__':
    main()
