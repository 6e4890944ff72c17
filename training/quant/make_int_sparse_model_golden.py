"""Golden vectors for the engine on a sparse integer model (tests/int-sparse-model.test.ts): the tiny
model of make_int_model_golden.py with its float weights magnitude-pruned (elements, or 4×4 blocks),
exported by export_int.py with those layers' matrices written csr or block-sparse, and what the
whole-model integer reference (run_int_model.py: a sparse weight is its dense codes with zeros)
computes for it, every exit run alone from zero state.

    python3 training/quant/make_int_sparse_model_golden.py [--out tests/fixtures/golden]

Writes int-sparse-model.thm and int-sparse-model.json (the fields of int-model.json). Layers, and the
layout the engine picks for each matrix (docs/sparsity.md, "Engine"):
fc_in [16, 161] 4×4 blocks at 75 % (the last block column partial) -> blocks; gru1 blocks at 75 % (input)
and 90 % (hidden) -> blocks; gru2 csr at 95 % (input) -> CSR and 60 % (hidden) -> dense rows;
exit0.mask [161, 16] blocks at 90 % (the last block row partial) -> blocks; exit1.anc csr at 60 % ->
dense rows; exit1.mask csr at 95 % -> CSR. Block layers use 2-, 4-, 6- or 8-bit codes (a block row of
4 codes must be whole bytes).
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thm  # noqa: E402
from quant.export_int import export_int  # noqa: E402
from quant.make_int_model_golden import BITS, EXITS, SEED, calibrated_scales, features, float_model, golden_runs  # noqa: E402

# float tensor -> (kind, sparsity); the export writes every matrix of a listed layer sparse.
PRUNE = {
    'fc_in.weight': ('block', 0.75),
    'gru1.weightIh': ('block', 0.75),
    'gru1.weightHh': ('block', 0.90),
    'gru2.weightIh': ('csr', 0.95),
    'gru2.weightHh': ('csr', 0.60),
    'exit0.mask.weight': ('block', 0.90),
    'exit1.anc.weight': ('csr', 0.60),
    'exit1.mask.weight': ('csr', 0.95),
}
# Block layers need 2-, 4-, 6- or 8-bit codes: gru1's widths of int-model (5, 3, 7 among them) changed.
SPARSE_BITS = {**BITS, 'layers': {**BITS['layers'], 'gru1': {**BITS['layers']['gru1'],
                                                            'ir': 6, 'iz': 4, 'in': 8, 'hr': 8, 'hz': 4, 'hn': 6}}}
SPARSE = {'fc_in': 'block', 'gru1': 'block', 'gru2': 'csr', 'exit0.mask': 'block', 'exit1.anc': 'csr', 'exit1.mask': 'csr'}


def prune(w: np.ndarray, kind: str, sparsity: float) -> np.ndarray:
    """Zeroes the smallest-magnitude elements, or 4×4 grid blocks (by mean magnitude: edge blocks are partial)."""
    if kind == 'csr':
        keep = np.abs(w) >= np.quantile(np.abs(w), sparsity)
        return np.where(keep, w, 0).astype(np.float32)
    rows, cols = w.shape
    grid = lambda a: np.pad(a, ((0, -rows % 4), (0, -cols % 4))).reshape(-(-rows // 4), 4, -(-cols // 4), 4).sum(axis=(1, 3))
    norms = grid(np.abs(w)) / grid(np.ones_like(w))
    kept = norms >= np.quantile(norms, sparsity)
    mask = np.repeat(np.repeat(kept, 4, axis=0), 4, axis=1)[:rows, :cols]
    return np.where(mask, w, 0).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', type=Path, default=Path('tests/fixtures/golden'))
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    header, tensors = float_model(rng)
    x = features(rng)
    scales = calibrated_scales(header, tensors, x)  # bit widths of the activations only: those of int-model
    pruned = {name: prune(w, *PRUNE[name]) if name in PRUNE else w for name, w in tensors.items()}
    int_header, int_tensors = export_int(header, pruned, SPARSE_BITS, scales, 'int-sparse-model',
                                         'golden sparse integer model (random weights, pruned, mixed widths)', SPARSE)
    path = args.out / 'int-sparse-model.thm'
    thm.write_model(path, int_header, int_tensors)
    golden = golden_runs(path, x)
    (args.out / 'int-sparse-model.json').write_text(json.dumps(golden, separators=(',', ':')) + '\n')
    stored = {s['name']: f"{s['dtype']} nnz {s['nnz']}" for s in thm.read_model(path)[0]['tensors'] if 'nnz' in s}
    print(f'{path}: {path.stat().st_size} bytes; {len(x)} frames, {len(EXITS)} exits; {stored}')


if __name__ == '__main__':
    main()
