"""Fake quantization (docs/integer.md in floating point) for quantization-aware training.

Every quantity is rounded exactly where the integer path rounds, with the same rule (half up) and the
same saturation; gradients pass straight through the rounding (straight-through estimator) and stop
where a value saturates. The GRU works in code units (floats holding integer codes), so it follows
reference.gru_step term by term; only the accumulation and the multiplier are float.
"""
import torch
from torch import nn

from .convert import GATES_HH, GATES_IH


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """floor(x + 0.5) forward, identity backward."""
    return x + (torch.floor(x + 0.5) - x).detach()


def sat_codes(x: torch.Tensor, bits: int, low: float | None = None) -> torch.Tensor:
    """Clamp to the symmetric code range of `bits` (or [low, top]); zero gradient outside."""
    top = float(2 ** (bits - 1) - 1)
    return torch.clamp(x, -top if low is None else low, top)


def to_codes(x: torch.Tensor, scale, bits: int) -> torch.Tensor:
    """sat(round(x / scale)) as float codes."""
    return sat_codes(round_ste(x / scale), bits)


def weight_codes(w: torch.Tensor, bits: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row codes and scales (scales detached: max|w| / (2^(b-1) - 1), as spec.weight_scales)."""
    peak = w.detach().abs().amax(dim=1)
    scale = torch.where(peak > 0, peak / (2 ** (bits - 1) - 1), torch.ones_like(peak)).to(torch.float32).to(w.dtype)
    return to_codes(w, scale[:, None], bits), scale


def table_lookup(fn: str, p: torch.Tensor, pre_bits: int, pre_scale: float, table_bits: int, out_bits: int):
    """The table of spec.build_table applied to P-bit codes p: the function at the bucket centre, rounded."""
    step = 2 ** (pre_bits - table_bits)
    idx = torch.floor((p + 2 ** (pre_bits - 1)) / step)
    centre = step // 2 if table_bits < pre_bits else 0
    v = p + ((idx * step - 2 ** (pre_bits - 1) + centre) - p).detach()  # bucket centre, gradient of p
    f = torch.sigmoid(v * pre_scale) if fn == 'sigmoid' else torch.tanh(v * pre_scale)
    return sat_codes(round_ste(f * 2 ** (out_bits - 1)), out_bits, 0.0 if fn == 'sigmoid' else None)


class FakeDense(nn.Module):
    """A dense-int layer around an nn.Linear: codes in (`in_bits` at `in_scale`), codes out."""

    def __init__(self, linear: nn.Linear, act: str, bits: dict, in_bits: int, in_scale: float,
                 out_scale: float | None = None, pre_scale: float | None = None):
        super().__init__()
        self.linear, self.act, self.bits = linear, act, bits
        self.in_bits, self.in_scale, self.out_scale, self.pre_scale = in_bits, in_scale, out_scale, pre_scale

    def forward(self, x_codes: torch.Tensor) -> torch.Tensor:
        w_q, s_w = weight_codes(self.linear.weight, self.bits['w'])
        acc_scale = s_w * self.in_scale
        b_q = to_codes(self.linear.bias, acc_scale, self.bits['bias'])
        acc = x_codes @ w_q.T + b_q
        if self.act in ('sigmoid', 'tanh'):
            p = sat_codes(round_ste(acc * (acc_scale / self.pre_scale)), self.bits['pre'])
            return table_lookup(self.act, p, self.bits['pre'], self.pre_scale, self.bits['table'], self.bits['out'])
        y = sat_codes(round_ste(acc * (acc_scale / self.out_scale)), self.bits['out'])
        return torch.relu(y) if self.act == 'relu' else y


class FakeGRU(nn.Module):
    """A gru-int layer around an nn.GRU (batch_first, one layer): codes [B, T, in] -> hidden codes [B, T, h]."""

    def __init__(self, gru: nn.GRU, bits: dict, in_bits: int, in_scale: float, pre_scales: dict):
        super().__init__()
        self.gru, self.bits, self.in_bits, self.in_scale, self.pre_scales = gru, bits, in_bits, in_scale, pre_scales

    def _terms(self):
        """Per gate: weight codes, bias codes and the float requantization factor (to the gate's pre scale)."""
        h = self.gru.hidden_size
        h_scale = 2.0 ** -(self.bits['h'] - 1)
        terms = {}
        for k, (gi, gh) in enumerate(zip(GATES_IH, GATES_HH)):
            rows = slice(k * h, (k + 1) * h)
            target = self.pre_scales['rzn'[k]]
            for g, w, b, xs in ((gi, self.gru.weight_ih_l0, self.gru.bias_ih_l0, self.in_scale),
                                (gh, self.gru.weight_hh_l0, self.gru.bias_hh_l0, h_scale)):
                w_q, s_w = weight_codes(w[rows], self.bits[g])
                terms[g] = (w_q, to_codes(b[rows], s_w * xs, self.bits['bias']), s_w * xs / target)
        return terms

    def forward(self, x_codes: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
        B, P, K = self.bits, self.bits['pre'], self.bits['table']
        terms = self._terms()
        # Input projections of every step at once (they do not depend on h).
        t_in = {g: round_ste((x_codes @ terms[g][0].T + terms[g][1]) * terms[g][2]) for g in GATES_IH}
        h = x_codes.new_zeros(x_codes.shape[0], self.gru.hidden_size) if h0 is None else h0
        out = []
        for t in range(x_codes.shape[1]):
            t_h = {g: round_ste((h @ terms[g][0].T + terms[g][1]) * terms[g][2]) for g in GATES_HH}
            r = table_lookup('sigmoid', sat_codes(t_in['ir'][:, t] + t_h['hr'], P['r']), P['r'],
                             self.pre_scales['r'], K['r'], B['r'])
            z = table_lookup('sigmoid', sat_codes(t_in['iz'][:, t] + t_h['hz'], P['z']), P['z'],
                             self.pre_scales['z'], K['z'], B['z'])
            g = sat_codes(t_h['hn'], P['n'])
            n_pre = sat_codes(t_in['in'][:, t] + round_ste(r * g / 2 ** (B['r'] - 1)), P['n'])
            n = table_lookup('tanh', n_pre, P['n'], self.pre_scales['n'], K['n'], B['n'])
            n = n * 2.0 ** (B['h'] - B['n']) if B['h'] >= B['n'] else round_ste(n / 2 ** (B['n'] - B['h']))
            h = sat_codes(n + round_ste(z * (h - n) / 2 ** (B['z'] - 1)), B['h'])
            out.append(h)
        return torch.stack(out, dim=1)
