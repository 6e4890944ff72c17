"""Float layers -> integer layers (docs/integer.md): weight codes and per-row scales, biases at
accumulator scale, requantization multipliers and tables, for a given bit-width configuration and
activation scales. The exporter and the golden vectors both go through here.

Bit configurations:
  dense: {'w': Bw, 'bias': Bb, 'out': Bo, 'pre': P, 'table': K}   (pre/table only for sigmoid/tanh)
  gru:   {'ir'..'hn': Bw each, 'bias': Bb, 'pre': {r, z, n}, 'table': {r, z, n}, 'r', 'z', 'n', 'h'}
"""
import numpy as np

from . import spec

GATES_IH = ('ir', 'iz', 'in')
GATES_HH = ('hr', 'hz', 'hn')


def pow2_scale(bits: int) -> float:
    """The fixed scale 2^-(bits-1) of r, z, n, h and table outputs."""
    return 2.0 ** -(bits - 1)


def _accumulator_terms(w, b, bits_w, bits_b, in_bits, in_scale, target_scale):
    """Codes, scales, bias codes and (m, s) of one matrix whose output is requantized to target_scale."""
    w_q, s_w = spec.quantize_weight(np.asarray(w, dtype=np.float64), bits_w)
    acc_scale = s_w.astype(np.float64) * in_scale
    b_q = spec.fit_bias_to_accumulator(spec.quantize_bias(np.asarray(b, dtype=np.float64), acc_scale, bits_b),
                                      w_q, in_bits)
    m, s = spec.quantize_multipliers(acc_scale / target_scale)
    return w_q, s_w, b_q, m, s


def dense_layer(w, b, act: str, bits: dict, in_bits: int, in_scale: float, out_scale: float | None = None,
                pre_scale: float | None = None) -> dict:
    """A dense-int layer. `out_scale` for none/relu; `pre_scale` for sigmoid/tanh (output 2^-(Bo-1))."""
    tabled = act in ('sigmoid', 'tanh')
    target = pre_scale if tabled else out_scale
    w_q, s_w, b_q, m, s = _accumulator_terms(w, b, bits['w'], bits['bias'], in_bits, in_scale, target)
    layer = dict(W=w_q, w_scale=s_w, bias=b_q, m=m, s=s, act=act, out_bits=bits['out'], in_bits=in_bits,
                 in_scale=in_scale, bias_bits=bits['bias'],
                 out_scale=pow2_scale(bits['out']) if tabled else out_scale)
    if tabled:
        layer |= dict(pre_bits=bits['pre'], pre_scale=pre_scale, table_bits=bits['table'],
                      table=spec.build_table(act, bits['pre'], pre_scale, bits['table'], bits['out']))
    return layer


def gru_layer(w_ih, w_hh, b_ih, b_hh, bits: dict, in_bits: int, in_scale: float, pre_scales: dict) -> dict:
    """A gru-int layer from torch.nn.GRU-shaped float weights ([3h, in], [3h, h], [3h], [3h])."""
    hidden = len(b_ih) // 3
    h_scale = pow2_scale(bits['h'])
    W, w_scale, bias, ms, ss = {}, {}, {}, [], []
    for k, (gi, gh) in enumerate(zip(GATES_IH, GATES_HH)):
        rows = slice(k * hidden, (k + 1) * hidden)
        gate = 'rzn'[k]
        for g, w, b, xb, xs in ((gi, w_ih, b_ih, in_bits, in_scale), (gh, w_hh, b_hh, bits['h'], h_scale)):
            W[g], w_scale[g], bias[g], m, s = _accumulator_terms(
                np.asarray(w)[rows], np.asarray(b)[rows], bits[g], bits['bias'], xb, xs, pre_scales[gate])
            ms.append((g, m))
            ss.append((g, s))
    order = GATES_IH + GATES_HH
    m = np.stack([dict(ms)[g] for g in order])
    s = np.stack([dict(ss)[g] for g in order])
    tables = {gate: spec.build_table('tanh' if gate == 'n' else 'sigmoid', bits['pre'][gate], pre_scales[gate],
                                     bits['table'][gate], bits[gate]) for gate in 'rzn'}
    return dict(W=W, w_scale=w_scale, bias_ih=np.concatenate([bias[g] for g in GATES_IH]),
                bias_hh=np.concatenate([bias[g] for g in GATES_HH]), m=m, s=s,
                pre_bits=dict(bits['pre']), pre_scale=dict(pre_scales), table_bits=dict(bits['table']),
                tables=tables, bits={g: bits[g] for g in 'rznh'}, weight_bits={g: bits[g] for g in order},
                bias_bits=bits['bias'], in_bits=in_bits, in_scale=in_scale)
