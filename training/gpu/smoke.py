"""CPU smoke test of the GPU job, against the real pack: run.sh with --device cpu at a tiny size, then the checks
that a GPU session would otherwise find out too late. About 5 minutes on the shared 2-core machine.

    python3 training/gpu/smoke.py                                 # needs training/gpu/pack (python3 training/gpu/pack.py)
    python3 training/gpu/smoke.py --init models/nsnet-ee-f32.thm  # the job started from a shipped float model

1. run.sh trains from (a snapshot of) the CPU run's checkpoint for --minutes 0.3 (batch 2, one mixing process)
   and ends on its time budget with a validation; gpu-result.pt, log.csv, job.json and train.log are in $OUT,
   the result's weights moved away from the checkpoint's weight average, and the recipe options are the CPU run's;
2. the validation set rebuilt from the pack through the ctypes soundfile stand-in equals valid_set's cache
   (noisy exactly, clean within valid_pack.TOLERANCE);
3. graft.py puts the result into the snapshot, and the run's script (train.py or train_fsenet.py) --resume goes one
   step on from it; where the CPU run has ended (nothing to resume), an fsenet result exports as a model file instead;
   started from a model file, the result exports with export.py (its frame-by-frame check passing).
Exits non-zero with the failed check.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE.parent), str(HERE)]
import graft  # noqa: E402
import job  # noqa: E402
import run_command  # noqa: E402
import valid_pack  # noqa: E402
import valid_set  # noqa: E402

PACK = HERE / 'pack'
MACHINE_OPTIONS = {'out', 'ckpt', 'resume', 'init_from', 'stop_at', 'threads', 'device', 'workers', 'sizes'}


def check(ok: bool, what: str):
    print(('ok   ' if ok else 'FAIL ') + what, flush=True)
    if not ok:
        sys.exit(1)


def run_job(tmp: Path, init: Path) -> Path:
    out = tmp / 'out'
    subprocess.run(['bash', 'training/gpu/run.sh', '--init', str(init), '--device', 'cpu', '--workers', '1', '--batch', '2',
                    '--threads', '1', '--minutes', '0.3', '--valid-every', '1000000', '--run-dir', str(tmp / 'run')],
                   cwd=ROOT, env=dict(os.environ, OUT=str(out)), check=True, timeout=20 * 60)
    return out


def check_result(out: Path, init: dict) -> dict:
    for name in ('gpu-result.pt', 'log.csv', 'job.json', 'train.log'):
        check((out / name).is_file(), f'$OUT/{name} written')
    result = torch.load(out / 'gpu-result.pt', map_location='cpu', weights_only=False)
    report = json.loads((out / 'job.json').read_text())
    rows = (out / 'log.csv').read_text().strip().splitlines()
    check(result['step'] > 0 and report['steps'] == result['step'], f"trained {result['step']} steps")
    check(len(rows) == 2 and int(rows[1].split(',')[0]) == result['step'], 'validated once, at the end of the time')
    check(result['elapsed_s'] >= 0.3 * 60, f"ended on the time budget ({result['elapsed_s']:.0f} s)")
    check(result['init']['step'] == init['step'], "the result names the CPU step it started from")
    moved = max((result['ema'][k] - init['ema'][k]).abs().max().item() for k in init['ema'] if init['ema'][k].numel())
    check(moved > 0, f'weights moved from the init (max change {moved:.2e})')
    recipe = {k: v for k, v in init['args'].items() if k not in job.OWN_OPTIONS}
    check(all(result['args'][k] == v for k, v in recipe.items()), "trained with the CPU run's recipe options")
    return result


def check_valid_restore(tmp: Path):
    """Through the stand-in and the pack's libsndfile, as on the GPU machine (the local cache is left alone)."""
    target = tmp / 'valid.npz'
    code = f'import valid_pack; from pathlib import Path; valid_pack.restore(Path({str(PACK / "valid")!r}), ' \
           f'Path({str(target)!r}))'
    env = dict(os.environ, TINYHUSH_LIBSNDFILE=str(PACK / 'lib' / 'libsndfile.so.1.gz'),
               PYTHONPATH=os.pathsep.join(str(p) for p in (HERE / 'shim', HERE.parent, HERE)))
    subprocess.run([sys.executable, '-c', code], env=env, cwd=ROOT, check=True)
    a, b = np.load(valid_set.CACHE), np.load(target)
    check(np.array_equal(a['noisy'], b['noisy']) and np.array_equal(a['level'], b['level'])
          and np.array_equal(a['lead'], b['lead']), 'validation noisy rows, levels and lead-ins restored exactly')
    error = (np.abs(a['clean'] - b['clean']).max(1) / np.abs(a['clean']).max(1)).max()
    check(error <= valid_pack.TOLERANCE, f'validation clean rows restored within {error:.1e} of their peaks')


def check_graft_and_resume(tmp: Path, out: Path, cpu: Path, result: dict):
    graft.main(['--result', str(out / 'gpu-result.pt'), '--checkpoint', str(cpu), '--out', str(cpu)])
    grafted = torch.load(cpu, map_location='cpu', weights_only=False)
    same = all(torch.equal(grafted[part][k], result['ema'][k]) for part in ('model', 'ema') for k in result['ema'])
    check(same, "grafted checkpoint's weights and weight average are the GPU result's")
    step, script = grafted['step'], job.trainer(grafted)
    if step >= grafted['args']['steps']:
        check(script.__name__ == 'train_fsenet',
              f'the CPU run has ended at step {step}: only an fsenet result is checked further (by exporting it)')
        model = tmp / 'fsenet.thm'
        subprocess.run([sys.executable, 'training/export_fsenet.py', '--checkpoint', str(out / 'gpu-result.pt'),
                        '--out', str(model), '--int8-weights', '--check-seconds', '1'], cwd=ROOT, check=True)
        check(model.is_file(), 'the GPU result exports as a model file, its frame-by-frame check passed')
        return
    argv = run_command.options_argv(grafted['args'], MACHINE_OPTIONS) + [
        '--resume', '--ckpt', str(cpu), '--out', str(tmp / 'cpu'), '--stop-at', str(step + 1), '--threads', '1']
    subprocess.run([sys.executable, script.__file__, *argv], cwd=ROOT, check=True)
    resumed = torch.load(cpu, map_location='cpu', weights_only=False)
    check(resumed['step'] == step + 1, f'the CPU run resumed from the grafted checkpoint (step {step} -> {step + 1})')


def check_export(tmp: Path, out: Path):
    """A job started from a model file has no CPU run to graft into: its result is a model of its own."""
    model = tmp / 'nsnet.thm'
    subprocess.run([sys.executable, 'training/export.py', '--checkpoint', str(out / 'gpu-result.pt'), '--out', str(model),
                    '--name', 'smoke', '--allow-dirty'], cwd=ROOT, check=True)
    check(model.is_file(), 'the GPU result exports as a model file, its frame-by-frame check passed')


def main():
    init_path = Path(sys.argv[sys.argv.index('--init') + 1]) if '--init' in sys.argv else None
    if not (PACK / 'manifest.csv').is_file():
        print(f'no pack at {PACK}: build it first with python3 training/gpu/pack.py', file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory(prefix='tinyhush-gpu-smoke-') as name:
        tmp = Path(name)
        source = init_path or job.parse_args(['--out', name]).init
        cpu = tmp / f'cpu{source.suffix}'          # a snapshot: the CPU run rewrites its checkpoint as it goes
        shutil.copyfile(source, cpu)
        init = job.load_init(cpu)
        out = run_job(tmp, cpu)
        result = check_result(out, init)
        check_valid_restore(tmp)
        if cpu.suffix == '.thm':
            check_export(tmp, out)
        else:
            check_graft_and_resume(tmp, out, cpu, result)
    print('GPU job smoke test passed')


if __name__ == '__main__':
    main()
