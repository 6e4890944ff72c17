"""Quantization-aware fine-tune by distillation (issue 14): a float model file's weights train through the
fake-quant layers of one mixed-precision configuration (a `tinyhush quantize --search` front point, or
BitConfig + QuantScales JSON) to reproduce the float model's own masks, so that what changes is the
quantization only, not the recipe. Then the fine-tuned weights are exported at the same bits and scales.

    python3 training/quant/qat_distill.py FLOAT.thm (--pareto PARETO.json --point K | --bits B.json --scales S.json) \\
        --steps N --out OUT.thm [--ckpt RUN.pt [--resume] --max-minutes M] [--name NAME]

Teacher: the float model (frozen). Student: a copy of it through fake_model.FakeQuantModel (float32,
straight-through estimator; weight scales = per-row max of the current weights, as convert.py; activation
scales the given ones), reading the features' integer codes as the integer path makes them (integer_input). Loss: mean squared error between the student's and the teacher's mask gains,
averaged over every exit of the model file (gains, not log gains: a B-bit mask cannot go below
2^-(B-1), and a log loss would spend the fine-tune on that unreachable floor). Mixtures: data.Mixer
('train', --seed, --seconds), --batch per step; Adam, --lr cosine to 0 at --steps.
--ckpt holds the weights, optimizer, step and mixer state (every --ckpt-minutes and when the run stops:
--steps reached or --max-minutes of training spent in this call); --resume continues exactly.
At --steps: OUT.thm (export_int.export_int) and the fidelity before and after: SI-SDR (dB) of the
student's enhanced audio against the teacher's, per exit, on 8 validation mixtures (Mixer('valid', 777,
5 s)); the student's masks are the integer path's (fake-quant in float64 from the integer input codes).
"""
import argparse
import copy
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import stft  # noqa: E402
import thm  # noqa: E402
from data import Mixer  # noqa: E402
from loss import si_sdr  # noqa: E402
from models.nsnet_ee import from_model_file  # noqa: E402
from quant import spec  # noqa: E402
from quant.export_int import FEATURES, export_int  # noqa: E402
from quant.fake_model import FakeQuantModel  # noqa: E402
from quant.ptq import VALID_SEED, enhance  # noqa: E402

PLAN_KEYS = ('model', 'pareto', 'point', 'bits', 'scales', 'steps', 'batch', 'seconds', 'lr', 'seed')
GRU_TENSORS = {'weightIh': 'weight_ih_l0', 'weightHh': 'weight_hh_l0', 'biasIh': 'bias_ih_l0', 'biasHh': 'bias_hh_l0'}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('model', type=Path, help='float model file (the teacher and the starting point)')
    p.add_argument('--pareto', type=Path, help='pareto.json of `tinyhush quantize --search`')
    p.add_argument('--point', type=int, help='front point of --pareto (its "point" field)')
    p.add_argument('--bits', type=Path, help='bit configuration JSON')
    p.add_argument('--scales', type=Path, help='activation scales JSON')
    p.add_argument('--steps', type=int, required=True)
    p.add_argument('--out', type=Path, required=True, help='integer model file written at --steps')
    p.add_argument('--name', help='model name in OUT (default <float name>-qat)')
    p.add_argument('--ckpt', type=Path, help='checkpoint file (written, and read with --resume)')
    p.add_argument('--resume', action='store_true')
    p.add_argument('--max-minutes', type=float, help='stop (checkpointed) after this much training in this call')
    p.add_argument('--ckpt-minutes', type=float, default=3.0)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--seconds', type=float, default=4.0, help='training crop length')
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--seed', type=int, default=782, help='training mixer seed')
    p.add_argument('--valid-count', type=int, default=8)
    args = p.parse_args(argv)
    if (args.pareto is None or args.point is None) == (args.bits is None or args.scales is None):
        p.error('give --pareto and --point, or --bits and --scales')
    if (args.resume or args.max_minutes) and args.ckpt is None:
        p.error('--resume and --max-minutes need --ckpt')
    return args


def bits_and_scales(args) -> tuple[dict, dict]:
    """The configuration to train: a front point of a search's pareto.json, or the two JSON files."""
    if args.pareto:
        front = {p['point']: p for p in json.loads(args.pareto.read_text())['front']}
        if args.point not in front:
            raise ValueError(f'{args.pareto}: no front point {args.point} (points {sorted(front)})')
        return front[args.point]['bits'], front[args.point]['scales']
    return json.loads(args.bits.read_text()), json.loads(args.scales.read_text())


def teacher_masks(teacher, header: dict, features: torch.Tensor) -> list:
    """The float model's gains of every exit of `header`, in its order."""
    by_output = dict(zip((e['output'] for e in teacher.exits()), teacher(features)))
    return [by_output[e['output']] for e in header['exits']]


def distillation_loss(gains: list, targets: list) -> torch.Tensor:
    """Mean squared error between the student's and the teacher's mask gains, averaged over the exits."""
    return sum(torch.mean((g - t) ** 2) for g, t in zip(gains, targets)) / len(gains)


def float_tensors(header: dict, floats: dict, model) -> dict:
    """`floats` with every dense / gru layer's tensors replaced by `model`'s current weights."""
    floats = dict(floats)
    for layer in header['layers']:
        module = model.get_submodule(layer['name'])
        keys = {'weight': 'weight', 'bias': 'bias'} if layer['op'] == 'dense' else GRU_TENSORS
        for field, attr in keys.items():
            floats[layer[field]] = getattr(module, attr).detach().cpu().numpy().astype(np.float32)
    return floats


def cosine_lr(step: int, steps: int, peak: float) -> float:
    return peak * 0.5 * (1 + math.cos(math.pi * min(step, steps) / steps))


def integer_input(features: torch.Tensor, bits: dict, scales: dict) -> torch.Tensor:
    """Features as the integer path reads them (spec.quantize_input: f32 product with invInputScale), as
    float64 codes x scale, so that the fake-quant model's own rounding of them is exact: then its float64
    masks equal run_int_model.py's bit for bit."""
    scale = float(np.float32(scales[FEATURES]))
    codes = spec.quantize_input(features.numpy(), np.float32(1.0 / scale), int(bits[FEATURES]))
    return torch.from_numpy(codes).double() * scale


@torch.no_grad()
def fidelity(teacher, student, header: dict, bits: dict, scales: dict, noisy: torch.Tensor) -> list:
    """Mean SI-SDR (dB) per exit of the student's enhanced audio (integer path, via fake-quant in float64)
    against the teacher's."""
    reference = enhance(lambda f: teacher_masks(teacher, header, f), noisy)
    quant = FakeQuantModel(copy.deepcopy(student).double(), header, bits, scales).eval()
    outs = enhance(lambda f: [m.float() for m in quant(integer_input(f, bits, scales))], noisy)
    return [float(si_sdr(o, r).mean()) for o, r in zip(outs, reference)]


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    header, floats = thm.read_model(str(args.model))
    bits, scales = bits_and_scales(args)
    teacher = from_model_file(header, floats).eval().requires_grad_(False)
    student = copy.deepcopy(teacher).requires_grad_(True)
    quant = FakeQuantModel(student, header, bits, scales).train()
    params = [p for p in student.parameters()]
    opt = torch.optim.Adam(params, lr=args.lr)
    mixer = Mixer('train', args.seed, args.seconds)
    plan = {k: str(getattr(args, k)) for k in PLAN_KEYS}
    step, elapsed = 0, 0.0
    if args.resume and args.ckpt.exists():
        ckpt = torch.load(args.ckpt, weights_only=False)
        if ckpt['plan'] != plan:
            raise ValueError(f'the run in {args.ckpt} was planned as {ckpt["plan"]}: resume it with the same settings')
        student.load_state_dict(ckpt['student'])
        opt.load_state_dict(ckpt['opt'])
        step, elapsed = ckpt['step'], ckpt['elapsed_s']
        mixer.rng.bit_generator.state = ckpt['mixer_rng']
    names = [e['name'] for e in header['exits']]
    print(f'distilling {header["name"]} into its quantized copy ({len(header["layers"])} layers, exits {names}), '
          f'from step {step} of {args.steps}', flush=True)

    def checkpoint():
        if args.ckpt is not None:
            args.ckpt.parent.mkdir(parents=True, exist_ok=True)
            tmp = args.ckpt.with_suffix('.tmp')
            torch.save(dict(student=student.state_dict(), opt=opt.state_dict(), step=step, elapsed_s=elapsed,
                            mixer_rng=mixer.rng.bit_generator.state, plan=plan), tmp)
            tmp.replace(args.ckpt)

    run_start, last_ckpt = time.time(), time.time()
    budget_s = math.inf if args.max_minutes is None else args.max_minutes * 60
    while step < args.steps and time.time() - run_start < budget_s:
        t, cpu = time.time(), time.process_time()
        for group in opt.param_groups:
            group['lr'] = cosine_lr(step, args.steps, args.lr)
        noisy, _ = mixer.batch(args.batch)
        features = stft.log_power(stft.stft(noisy))
        with torch.no_grad():
            targets = teacher_masks(teacher, header, features)
        gains = quant(integer_input(features, bits, scales).float())
        loss = distillation_loss(gains, targets)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        elapsed += time.time() - t
        print(f'step {step} loss {loss.item():.3e} ({time.time() - t:.1f} s, CPU {time.process_time() - cpu:.1f} s; '
              f'{elapsed:.0f} s in all)', flush=True)
        if time.time() - last_ckpt > args.ckpt_minutes * 60:
            checkpoint()
            last_ckpt = time.time()
    checkpoint()
    if step < args.steps:
        print(f'stopped at step {step} of {args.steps}; continue with --resume', flush=True)
        return
    noisy, _ = Mixer('valid', VALID_SEED, 5.0).batch(args.valid_count)
    before = fidelity(teacher, teacher, header, bits, scales, noisy)
    after = fidelity(teacher, student, header, bits, scales, noisy)
    print(f'fidelity to the float model, SI-SDR (dB) on {args.valid_count} validation mixtures of 5 s, per exit {names}:')
    print(f'  before: {" ".join(f"{v:.2f}" for v in before)}')
    print(f'  after {step} steps: {" ".join(f"{v:.2f}" for v in after)}')
    name = args.name or f'{header["name"]}-qat'
    description = (f'{header["description"]} Quantized (mixed precision) after a distillation fine-tune of {step} steps '
                   '(training/quant/qat_distill.py).')
    int_header, tensors = export_int(header, float_tensors(header, floats, student), bits, scales, name, description)
    int_header['provenance']['distillation'] = {
        'steps': step, 'batch': args.batch, 'seconds': args.seconds, 'lr': args.lr,
        'fidelitySiSdrDb': {'before': [round(v, 3) for v in before], 'after': [round(v, 3) for v in after],
                            'validation': f'{args.valid_count} mixtures of 5 s, seed {VALID_SEED}'}}
    size = len(thm.write_model(args.out, int_header, tensors))
    print(f'{args.out}: {size} bytes', flush=True)


if __name__ == '__main__':
    main()
