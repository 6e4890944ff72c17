"""The GPU job, run by training/gpu/run.sh from the repo root (smoke.py runs it on the CPU at a tiny size).

1. restores the fixed validation set from the pack (valid_pack.py) unless valid_set's cache is already there;
2. decodes the pack's train audio into data.py's banks, one group per process on all cores;
3. trains from --init, the CPU run's checkpoint (it travels with the checkout; default: the one file in
   training/checkpoints/), with the script that made it (train.py, or train_fsenet.py), or from a model file that
   train.py's run exported (models/nsnet-ee-f32.thm: its provenance records the run's command): from its weight
   average, with its recipe (its own arguments) and this job's schedule: a new run of --batch, peak --lr, --warmup
   steps, then one cosine over --minutes of training (--max-minutes), mixing in --workers processes;
4. writes to --out: gpu-result.pt (the weight average and what it was trained from; graft.py brings it into the
   CPU run; export.py and export_fsenet.py read it as it is), log.csv (the script's), job.json (device, timings, throughput).
"""
import argparse
import json
import multiprocessing
import os
import platform
import shlex
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRAINING = HERE.parent
CHECKPOINTS = TRAINING / 'checkpoints'
# The ctypes stand-in for soundfile comes first, so decoding uses the pack's libsndfile here as on the GPU machine.
sys.path[:0] = [str(HERE / 'shim'), str(TRAINING), str(HERE)]

# Options of train.py and train_fsenet.py that this job sets itself (schedule, machine, files); every other one is
# the CPU run's recipe.
OWN_OPTIONS = {'steps', 'batch', 'lr', 'warmup', 'max_minutes', 'stop_at', 'threads', 'device', 'workers', 'sizes',
               'out', 'ckpt', 'resume', 'shorten_to', 'init_from', 'valid_every', 'ckpt_minutes', 'seed'}

from run_command import options_argv  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--pack', type=Path, default=HERE / 'pack')
    p.add_argument('--init', type=Path, help="the CPU run's checkpoint to start from (default: the one .pt file in "
                                              'training/checkpoints/), or a float model file train.py exported')
    p.add_argument('--out', type=Path, required=True, help='results (the run tool fetches $OUT)')
    p.add_argument('--run-dir', type=Path, default=TRAINING / 'runs' / 'gpu', help="train.py's --out (full checkpoint)")
    p.add_argument('--device', default='cuda')
    p.add_argument('--minutes', type=float, default=7.0, help='training time (train.py --max-minutes)')
    p.add_argument('--steps', type=int, default=1_000_000, help='step limit; the time budget normally ends the run')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--lr', type=float, default=5e-4)
    p.add_argument('--warmup', type=int, default=100)
    p.add_argument('--workers', type=int, default=14, help='mixing processes')
    p.add_argument('--threads', type=int, default=2, help='torch threads of the training process')
    p.add_argument('--valid-every', type=int, default=500)
    p.add_argument('--seed', type=int, help="data seed (default: 1000 + the CPU run's step, a fresh stream per start)")
    args = p.parse_args(argv)
    if args.init is None:
        found = sorted(CHECKPOINTS.glob('*.pt'))
        if len(found) != 1:
            p.error(f'give --init: training/checkpoints/ holds {len(found)} checkpoints ({[f.name for f in found]})')
        args.init = found[0]
    return args


def load_init(path: Path) -> dict:
    """What the job starts from, as a CPU checkpoint holds it (args, step, ema, last_valid): a train.py or
    train_fsenet.py checkpoint, or a float model file exported from a train.py run, whose provenance records the
    run's command (its recipe), steps and validation."""
    import torch
    if path.suffix != '.thm':
        return torch.load(path, map_location='cpu', weights_only=False)
    import thm
    import train
    from models.nsnet_ee import from_model_file
    header, tensors = thm.read_model(path)
    training = header.get('provenance', {}).get('training', {})
    words = shlex.split(training.get('command', ''))
    if words[1:2] != ['training/train.py'] or any(layer['op'].endswith('-int') for layer in header['layers']):
        raise SystemExit(f'{path}: not a float model whose provenance records the train.py command that made it')
    return {'args': vars(train.parse_args(words[2:])), 'step': training['steps'],
            'ema': from_model_file(header, tensors).state_dict(),
            'last_valid': header['provenance'].get('metrics', {}).get('validation')}


def trainer(init: dict):
    """The training script that wrote the checkpoint `init`: train_fsenet's checkpoints carry the ratio generator."""
    if 'ratio_rng' in init:
        import train_fsenet
        return train_fsenet
    import train
    return train


def _bank(paths: list, speech: bool):
    import data
    data.AudioBank(paths, speech)


def build_banks(processes: int) -> int:
    """data.py's cache of every train group (the key depends on the paths, so the pack gets banks of its own)."""
    import splits
    files = splits.split_files('train')
    tasks = []
    for kind in ('speech', 'noise'):
        groups = {}
        for p in files[kind]:
            groups.setdefault(splits.source_group(p), []).append(p)
        tasks += [(paths, kind == 'speech') for paths in groups.values()]
    tasks.sort(key=lambda t: -sum(os.path.getsize(p) for p in t[0]))       # longest first
    with multiprocessing.get_context('fork').Pool(processes) as pool:
        pool.starmap(_bank, tasks)
    return len(tasks)


def main(argv=None):
    args = parse_args(argv)
    pack = args.pack.resolve()
    os.environ['TINYHUSH_DATA'] = str(pack)                                 # read by splits.py when imported
    os.environ['TINYHUSH_ASTERISK'] = str(pack / 'asterisk')
    import torch
    import valid_pack
    import valid_set

    times = {}
    t = time.time()
    init = load_init(args.init)
    script = trainer(init)
    if not valid_set.CACHE.exists():
        valid_pack.restore(pack / 'valid')
    times['valid_restore_s'] = round(time.time() - t, 1)
    t = time.time()
    groups = build_banks(os.cpu_count() or 1)
    times['banks_s'] = round(time.time() - t, 1)
    print(f'{groups} banks ready in {times["banks_s"]} s', flush=True)

    seed = args.seed if args.seed is not None else 1000 + int(init['step'] or 0)
    recipe = options_argv(init['args'], OWN_OPTIONS)
    train_argv = recipe + ['--steps', str(args.steps), '--batch', str(args.batch), '--lr', str(args.lr),
                           '--warmup', str(args.warmup), '--max-minutes', str(args.minutes), '--device', args.device,
                           '--workers', str(args.workers), '--threads', str(args.threads), '--seed', str(seed),
                           '--valid-every', str(args.valid_every), '--init-from', str(args.init),
                           '--out', str(args.run_dir)]
    parsed = vars(script.parse_args(train_argv))
    drift = {k: (v, parsed[k]) for k, v in init['args'].items() if k not in OWN_OPTIONS and parsed.get(k) != v}
    name = Path(script.__file__).name
    if drift:
        raise ValueError(f"{name} would not reproduce the CPU run's recipe: {drift}")
    print(f'{name} ' + ' '.join(train_argv), flush=True)
    (args.run_dir / 'last.pt').unlink(missing_ok=True)                     # a new run, never a resume
    (args.run_dir / 'log.csv').unlink(missing_ok=True)
    t = time.time()
    script.main(train_argv)
    times['train_s'] = round(time.time() - t, 1)

    ckpt = torch.load(args.run_dir / 'last.pt', map_location='cpu', weights_only=False)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save({'sizes': ckpt['sizes'], 'ema': ckpt['ema'], 'step': ckpt['step'], 'elapsed_s': ckpt['elapsed_s'],
                'args': ckpt['args'], 'last_valid': ckpt['last_valid'], 'exit_macs': ckpt.get('exit_macs'),
                'init': {'source': str(args.init), 'step': init['step'], 'last_valid': init.get('last_valid')}},
               args.out / 'gpu-result.pt')
    (args.out / 'log.csv').write_bytes((args.run_dir / 'log.csv').read_bytes())
    report = {'device': torch.cuda.get_device_name() if args.device.startswith('cuda') else platform.processor(),
              'torch': torch.__version__, 'python': platform.python_version(), 'cpus': os.cpu_count(),
              'steps': ckpt['step'], 'batch': args.batch, 'train_elapsed_s': round(ckpt['elapsed_s'], 1),
              'steps_per_s': round(ckpt['step'] / max(ckpt['elapsed_s'], 1e-9), 3),
              'examples_per_s': round(ckpt['step'] * args.batch / max(ckpt['elapsed_s'], 1e-9), 1),
              'init_step': init['step'], 'last_valid': ckpt['last_valid'], 'init_last_valid': init.get('last_valid'),
              **times}
    if args.device.startswith('cuda'):
        report['max_memory_gib'] = round(torch.cuda.max_memory_allocated() / 2 ** 30, 2)
    (args.out / 'job.json').write_text(json.dumps(report, indent=1))
    print(json.dumps(report), flush=True)


if __name__ == '__main__':
    main()
