"""Golden peaks for the TypeScript calibration (src/quant/calibrate.ts, tests/quant-calibrate.test.ts):
the float reference interpreter (training/reference.py) runs tests/fixtures/golden/gru.thm over the
first two seconds of examples/noisy-sample.wav, every layer every frame, and records max |value| of
the features and of every none/relu dense layer's output.

    python3 training/quant/make_calibration_golden.py [--out tests/fixtures/golden/int-calibration.json]
"""
import argparse
import json
import sys
import wave
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import reference  # noqa: E402
import thm  # noqa: E402

MODEL = 'tests/fixtures/golden/gru.thm'
AUDIO = 'examples/noisy-sample.wav'
SECONDS = 2


def first_seconds(path: str, seconds: float) -> np.ndarray:
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == 16000
        pcm = np.frombuffer(w.readframes(int(seconds * 16000)), dtype='<i2')
    return (pcm.astype(np.float32) / 32768).astype(np.float32)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', type=Path, default=Path('tests/fixtures/golden/int-calibration.json'))
    args = ap.parse_args()
    torch.set_num_threads(1)
    header, tensors = thm.read_model(MODEL)
    x = first_seconds(AUDIO, SECONDS)
    _, feats = reference.features(torch.as_tensor(x))
    net = reference.Interpreter(header, tensors)
    probed = [l['name'] for l in header['layers'] if l['op'] == 'dense' and l['activation'] in ('none', 'relu')]
    peaks = dict(features=float(feats.abs().max()), **{name: 0.0 for name in probed})
    for f in feats:
        out = {'features': f}
        for layer in header['layers']:  # every layer every frame, as the calibration runs them
            out[layer['name']] = net._run(layer, out)
        for name in probed:
            peaks[name] = max(peaks[name], float(out[name].abs().max()))
    args.out.write_text(json.dumps(dict(model=MODEL, audio=AUDIO, seconds=SECONDS, peaks=peaks), indent=1) + '\n')
    print(f'{args.out}: {peaks}')


if __name__ == '__main__':
    main()
