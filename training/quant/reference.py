"""Bit-exact integer reference of docs/integer.md: dense layer, GRU step and GRU sequence.
Integer arithmetic only (numpy int64 holding int32 accumulators); the golden vectors come from here.

Layers are dicts of integer arrays and ints:
  dense: W [rows, cols] codes, bias [rows] (int32), m, s [rows], act ('none'|'relu'|'sigmoid'|'tanh'),
         out_bits, and for sigmoid/tanh pre_bits, table_bits, table [2^K].
  gru:   W = {ir, iz, in: [h, in]; hr, hz, hn: [h, h]}, bias_ih, bias_hh [3h], m, s [6, h] (ir, iz, in,
         hr, hz, hn), pre_bits {r, z, n}, table_bits {r, z, n}, tables {r, z, n}, bits {r, z, n, h}.
"""
import numpy as np

from .spec import I64, align, rq, rshift, sat, table_index

INT32_MAX = (1 << 31) - 1


def accumulate(W, x, bias) -> np.ndarray:
    """int32 acc = bias + W x; raises if the exact sum leaves int32 (the spec forbids such layers)."""
    acc = np.asarray(W, dtype=I64) @ np.asarray(x, dtype=I64) + np.asarray(bias, dtype=I64)
    if np.abs(acc).max(initial=0) > INT32_MAX:
        raise OverflowError('int32 accumulator overflow: the layer breaks the overflow check')
    return acc


def lookup(table, p, pre_bits: int, table_bits: int) -> np.ndarray:
    return np.asarray(table, dtype=I64)[table_index(p, pre_bits, table_bits)]


def dense(layer: dict, x) -> np.ndarray:
    """Output codes of a dense-int layer for input codes x."""
    acc = accumulate(layer['W'], x, layer['bias'])
    y = rq(acc, layer['m'], layer['s'])
    act = layer['act']
    if act in ('sigmoid', 'tanh'):
        return lookup(layer['table'], sat(y, layer['pre_bits']), layer['pre_bits'], layer['table_bits'])
    y = sat(y, layer['out_bits'])
    return np.maximum(y, 0) if act == 'relu' else y


def gru_step(layer: dict, h, x) -> np.ndarray:
    """The new hidden codes of a gru-int layer from state h and input x."""
    W, m, s = layer['W'], np.asarray(layer['m'], dtype=I64), np.asarray(layer['s'], dtype=I64)
    hidden = len(h)
    b_ih = np.asarray(layer['bias_ih'], dtype=I64).reshape(3, hidden)
    b_hh = np.asarray(layer['bias_hh'], dtype=I64).reshape(3, hidden)
    a = {g: accumulate(W[g], x, b_ih[k]) for k, g in enumerate(('ir', 'iz', 'in'))}
    a |= {g: accumulate(W[g], h, b_hh[k]) for k, g in enumerate(('hr', 'hz', 'hn'))}
    t = {g: rq(a[g], m[k], s[k]) for k, g in enumerate(('ir', 'iz', 'in', 'hr', 'hz', 'hn'))}
    P, K, T, B = layer['pre_bits'], layer['table_bits'], layer['tables'], layer['bits']
    r = lookup(T['r'], sat(t['ir'] + t['hr'], P['r']), P['r'], K['r'])
    z = lookup(T['z'], sat(t['iz'] + t['hz'], P['z']), P['z'], K['z'])
    g = sat(t['hn'], P['n'])
    n = lookup(T['n'], sat(t['in'] + rshift(r * g, B['r'] - 1), P['n']), P['n'], K['n'])
    n = align(n, B['n'], B['h'])
    return sat(n + rshift(z * (np.asarray(h, dtype=I64) - n), B['z'] - 1), B['h'])


def gru_sequence(layer: dict, xs, h0=None) -> np.ndarray:
    """Hidden codes [T, h] for input codes xs [T, in], state zero (or h0) at the start."""
    h = np.zeros(len(layer['bias_ih']) // 3, dtype=I64) if h0 is None else np.asarray(h0, dtype=I64)
    out = []
    for x in xs:
        h = gru_step(layer, h, x)
        out.append(h)
    return np.stack(out)

