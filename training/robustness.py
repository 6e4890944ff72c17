"""Level, history and speech-presence figures of a model on the held-out test split (issue "Quality", Done when):

    python3 training/robustness.py MODEL [--testset ../cache/testset-v2] [--exit K] [--json OUT.json]

MODEL is an nsnet-ee model file (.thm) or a train.py checkpoint (.pt, its weight average); the PyTorch model
computes what the engine does (export.py proves the file matches it within 1e-5 per mask value).
- Level: every test mixture scaled to an active level of -55, -30 and -10 dBFS (16-bit, as a microphone
  delivers it), mean SI-SDR improvement of the exit at each level.
- History: 5 s of digital silence, or of the mixture's own noise alone (noisy - clean, repeated), before each
  mixture; the mean change of the SI-SDR over the original stretch against the same file without the lead-in.
- Speech presence: frame-level ROC AUC of the presence head against labels from the clean references
  (loss.presence_labels), where the model has the head.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
import thm  # noqa: E402
from data import active_rms, quantise16, read_audio  # noqa: E402
from loss import presence_labels, si_sdr  # noqa: E402
from models.nsnet_ee import from_model_file, load_checkpoint  # noqa: E402
from train import roc_auc  # noqa: E402

LEVELS_DBFS = (-55.0, -30.0, -10.0)
LEAD_IN_SECONDS = 5.0
SR = 16000


def load_model(path: Path):
    model = load_checkpoint(path) if path.suffix == '.pt' else from_model_file(*thm.read_model(path)).eval()
    has_presence = path.suffix == '.pt' or any(l['name'] == 'presence.out' for l in thm.read_model(path)[0]['layers'])
    return model, has_presence


@torch.no_grad()
def run(model, noisy: np.ndarray, exit_index: int):
    """(enhanced waveform, presence probabilities per frame) for one waveform."""
    n = len(noisy) // stft.HOP * stft.HOP
    x = stft.stft(torch.from_numpy(noisy[:n])[None])
    feats = stft.log_power(x)
    h1 = model.shallow(feats)
    mask = model(feats, max_exit=exit_index, h1=h1)[exit_index]
    return stft.istft_aligned(mask * x)[0].numpy(), model.presence(h1)[0].numpy()


def sdr(est: np.ndarray, ref: np.ndarray) -> float:
    n = min(len(est), len(ref))
    return float(si_sdr(torch.from_numpy(est[:n])[None], torch.from_numpy(ref[:n])[None])[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model', type=Path)
    ap.add_argument('--testset', type=Path, default=Path(__file__).resolve().parents[2] / 'cache/testset-v2')
    ap.add_argument('--exit', type=int, default=-1, help='exit index (default: the full exit)')
    ap.add_argument('--json', type=Path)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, has_presence = load_model(args.model)
    exit_index = args.exit % 3
    levels = {level: [] for level in LEVELS_DBFS}
    history = {'silence': [], 'noise': []}
    probs, labels = [], []
    names = sorted(p.name for p in (args.testset / 'clean').glob('*.wav'))
    for name in names:
        clean, noisy = read_audio(str(args.testset / 'clean' / name)), read_audio(str(args.testset / 'noisy' / name))
        for level in LEVELS_DBFS:
            gain = min(10 ** (level / 20) / active_rms(noisy), 0.99 / np.abs(noisy).max())
            scaled = quantise16(noisy * gain)
            levels[level].append(sdr(run(model, scaled, exit_index)[0], clean) - sdr(scaled, clean))
        plain, presence = run(model, noisy, exit_index)
        base = sdr(plain, clean)
        lead = int(LEAD_IN_SECONDS * SR)
        noise = noisy - clean
        for kind, pad in (('silence', np.zeros(lead, np.float32)), ('noise', np.resize(noise, lead))):
            out = run(model, np.concatenate([pad, noisy]).astype(np.float32), exit_index)[0]
            history[kind].append(sdr(out[lead:], clean) - base)
        if has_presence:
            n = len(presence) * stft.HOP
            labels.append(presence_labels(stft.stft(torch.from_numpy(clean[:n])[None]))[0].numpy())
            probs.append(presence)
    result = {
        'model': str(args.model), 'testset': args.testset.name, 'files': len(names), 'exit': exit_index,
        'siSdrImprovementDbByLevel': {f'{k:g}': round(float(np.mean(v)), 3) for k, v in levels.items()},
        'leadInSiSdrChangeDb': {k: {'mean': round(float(np.mean(v)), 3), 'meanAbs': round(float(np.mean(np.abs(v))), 3)}
                                for k, v in history.items()},
        'presenceAuc': round(roc_auc(np.concatenate(probs), np.concatenate(labels)), 4) if has_presence else None,
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + '\n')


if __name__ == '__main__':
    main()
