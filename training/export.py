"""Export a trained nsnet-ee checkpoint (train.py's last.pt) to a tinyhush model file, then prove it:
training/reference.py run on the written file must give the masks of the PyTorch training model for
every exit (max |difference| <= 1e-5), or no file is left behind.

    python3 training/export.py --checkpoint training/runs/joint/last.pt --out models/nsnet-ee-f32.thm \
        --name nsnet-ee [--metrics eval.json]

The input normalisation is folded into fc_in. Provenance records the data and splits, the training
command, steps (and a re-plan, if the run had one), --version, the validation metrics (last row of the run's
log.csv: in its --out folder, else beside the checkpoint), the --metrics JSON
file if given, the git commit and the date.
"""
import argparse
import csv
import datetime
import json
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

import reference
import stft
import thm
from models.nsnet_ee import NsNetEE, fold_norm_into_fc_in, load_checkpoint
from run_command import command_line

REPO = Path(__file__).resolve().parent.parent
CHECK_WAV = REPO / 'examples/noisy-sample.wav'
CHECK_SECONDS = 3.0
TOLERANCE = 1e-5


def layer_tensors(model: NsNetEE) -> tuple[list, dict]:
    """Model-file layers (execution order) and their f32 tensors, fc_in with the normalisation folded in."""
    layers, tensors = [], {}
    for spec in model.layers():
        name, m = spec['name'], spec['module']
        if spec['op'] == 'dense':
            w, b = fold_norm_into_fc_in(model) if name == 'fc_in' else (m.weight, m.bias)
            tensors[f'{name}.weight'], tensors[f'{name}.bias'] = w, b
            layers.append({'name': name, 'op': 'dense', 'input': spec['input'], 'in': m.in_features,
                           'out': m.out_features, 'activation': spec['activation'],
                           'weight': f'{name}.weight', 'bias': f'{name}.bias'})
        else:
            for key in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'):
                tensors[f'{name}.{key}'] = getattr(m, f'{key}_l0')
            layers.append({'name': name, 'op': 'gru', 'input': spec['input'], 'in': m.input_size,
                           'hidden': m.hidden_size, 'weightIh': f'{name}.weight_ih', 'weightHh': f'{name}.weight_hh',
                           'biasIh': f'{name}.bias_ih', 'biasHh': f'{name}.bias_hh'})
    return layers, {k: v.detach().numpy().astype(np.float32) for k, v in tensors.items()}


def validation_metrics(log_csv: Path) -> dict:
    """The last validation row of train.py's log.csv, or {} if there is none."""
    if not log_csv.exists():
        return {}
    rows = list(csv.DictReader(open(log_csv, newline='')))
    if not rows:
        return {}
    last = rows[-1]
    per_exit = lambda prefix: [float(last[k]) for k in sorted(last) if k.startswith(prefix)]
    return {'step': int(last['step']), 'validLoss': per_exit('valid_loss_exit'),
            'validSiSdrImprovementDb': per_exit('valid_sisdri_exit'),
            'validFullExitSiSdrImprovementDbByLevel': {k.rsplit('_', 1)[1]: float(v) for k, v in last.items()
                                                       if k.startswith('valid_sisdri_full_')},
            'validPresenceAuc': float(last['valid_presence_auc'])}


def git_commit() -> str:
    run = lambda *a: subprocess.run(['git', *a], cwd=REPO, capture_output=True, text=True).stdout.strip()
    commit = run('rev-parse', 'HEAD')
    code = ('training', ':!training/checkpoints')            # a run's checkpoint changes; the code must not
    return commit + ('-dirty' if run('status', '--porcelain', '--', *code) else '')


def provenance(ckpt: dict, checkpoint: Path, metrics_file: Path | None, version: str | None) -> dict:
    args = ckpt.get('args', {})
    command = command_line('train.py', args)
    run_dir = Path(args['out']) if args.get('out') and (Path(args['out']) / 'log.csv').exists() else checkpoint.parent
    metrics = {'validation': validation_metrics(run_dir / 'log.csv')}
    if metrics_file is not None:
        metrics.update(json.loads(metrics_file.read_text()))
    return {
        'data': {'speech': 'training split of ../shared/data (beside the checkout) plus the fr/it/ru Asterisk prompts',
                 'splits': 'training/splits.py', 'mixing': 'training/data.py', 'validation': 'training/valid_set.py'},
        'training': {'command': command, 'steps': int(ckpt['step']), 'seconds': round(float(ckpt.get('elapsed_s', 0))),
                     **({'replan': ckpt['replan']} if ckpt.get('replan') else {})},
        **({'version': version} if version else {}),
        'metrics': metrics,
        'export': {'command': 'python3 ' + ' '.join(map(shlex.quote, sys.argv)), 'gitCommit': git_commit(),
                   'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')},
    }


def header(model: NsNetEE, layers: list, name: str, prov: dict) -> dict:
    return {
        'format': 'tinyhush-model', 'version': 1, 'name': name,
        'description': 'nsNet2-style GRU mask estimator with two early exits (split information flow).',
        'architecture': 'gru-mask', 'sampleRate': 16000,
        'stft': {'window': 'sqrt-hann', 'windowLength': stft.WIN, 'hop': stft.HOP, 'fftSize': stft.WIN},
        'features': {'type': 'log10-power', 'epsilon': stft.EPS, 'bins': stft.BINS},
        'layers': layers, 'exits': model.exits(), 'gates': [], 'skippedState': 'hold', 'provenance': prov,
        'speechPresence': {'output': 'presence.out'},
    }


@torch.no_grad()
def verify(model: NsNetEE, path: Path) -> list:
    """Max |mask difference| per exit between the written file (reference.py) and the training model."""
    x, _ = sf.read(CHECK_WAV, dtype='float32', frames=int(CHECK_SECONDS * 16000))
    h, tensors = thm.read_model(path)
    expected = model(reference.features(torch.from_numpy(x))[1][None])
    diffs = []
    for k, want in enumerate(expected):
        got, _ = reference.enhance(h, tensors, x, k)
        diffs.append(float(np.abs(got - want[0].numpy()).max()))
    macs = [reference.macs_per_frame(h, k) for k in range(len(h['exits']))]
    if macs != model.exit_macs():
        raise AssertionError(f'exit MACs of the file {macs} differ from the model\'s {model.exit_macs()}')
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', type=Path, required=True)
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--name', required=True, help='registry name, e.g. nsnet-ee')
    ap.add_argument('--metrics', type=Path, help='JSON file of evaluation metrics to record in the provenance')
    ap.add_argument('--version', help='model version recorded in the provenance (e.g. 2 for recipe v2)')
    ap.add_argument('--allow-dirty', action='store_true',
                    help='export although training/ has uncommitted changes (for trials, never for a shipped model)')
    args = ap.parse_args()
    if git_commit().endswith('-dirty') and not args.allow_dirty:
        raise SystemExit('training/ has uncommitted changes: commit them first, so the provenance names the code '
                         'that trained and exported the model (or pass --allow-dirty for a trial export)')

    ckpt = torch.load(args.checkpoint, map_location='cpu', weights_only=False)
    model = load_checkpoint(args.checkpoint)
    layers, tensors = layer_tensors(model)
    tmp = args.out.with_suffix('.tmp')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    thm.write_model(tmp, header(model, layers, args.name, provenance(ckpt, args.checkpoint, args.metrics, args.version)), tensors)
    diffs = verify(model, tmp)
    if max(diffs) > TOLERANCE:
        tmp.unlink()
        raise SystemExit(f'export check failed: max mask difference per exit {diffs} > {TOLERANCE}')
    tmp.replace(args.out)
    print(f'{args.out}: {args.out.stat().st_size} B, exit MACs/frame {model.exit_macs()}, '
          f'max mask difference per exit {[f"{d:.1e}" for d in diffs]}')


if __name__ == '__main__':
    main()
