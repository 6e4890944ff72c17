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
    return x + (_round(x) - x).detach()


def _round(x: torch.Tensor) -> torch.Tensor:
    """floor(x + 0.5), no gradient: round_ste's value (its x + (floor(x + 0.5) - x) adds back exactly)."""
    return torch.floor(x.detach() + 0.5)


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


def _lookup(fn: str, p: torch.Tensor, pre_bits: int, pre_scale: float, table_bits: int, out_bits: int):
    """(codes, slope) without a graph: the table of spec.build_table applied to P-bit codes p (the function at the
    bucket centre, rounded) and the straight-through derivative of the codes by p (the function's slope at the
    bucket centre, zero where the codes saturate)."""
    with torch.no_grad():
        step, half = 2 ** (pre_bits - table_bits), 2 ** (pre_bits - 1)
        centre = step // 2 if table_bits < pre_bits else 0
        v = torch.floor((p + half) / step).mul_(step).add_(centre - half)  # integers: exact in any order
        f = torch.sigmoid(v * pre_scale) if fn == 'sigmoid' else torch.tanh(v * pre_scale)
        rounded = _round(f * 2 ** (out_bits - 1))
        codes = sat_codes(rounded, out_bits, 0.0 if fn == 'sigmoid' else None)
        slope = f * (1 - f) if fn == 'sigmoid' else 1 - f * f
        return codes, torch.where(codes == rounded, slope * (2 ** (out_bits - 1) * pre_scale), 0.0)


def table_lookup(fn: str, p: torch.Tensor, pre_bits: int, pre_scale: float, table_bits: int, out_bits: int):
    """The table of spec.build_table applied to P-bit codes p: the function at the bucket centre, rounded;
    gradient: the function's slope at the bucket centre (zero where the codes saturate)."""
    codes, slope = _lookup(fn, p, pre_bits, pre_scale, table_bits, out_bits)
    return codes + (p - p.detach()) * slope


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

    def _terms(self, w: torch.Tensor, b: torch.Tensor, x_scale: float, gates: tuple):
        """Weight codes, bias codes and float requantization factors (to each gate's pre scale) of `gates`, whose
        rows of w and b are stacked r, z, n as in nn.GRU; stacked the same way, so one matmul serves the three."""
        h = self.gru.hidden_size
        terms = []
        for k, g in enumerate(gates):
            rows = slice(k * h, (k + 1) * h)
            w_q, s_w = weight_codes(w[rows], self.bits[g])
            terms.append((w_q, to_codes(b[rows], s_w * x_scale, self.bits['bias']), s_w * x_scale / self.pre_scales['rzn'[k]]))
        return [torch.cat(t) for t in zip(*terms)]

    def forward(self, x_codes: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
        w_i, b_i, m_i = self._terms(self.gru.weight_ih_l0, self.gru.bias_ih_l0, self.in_scale, GATES_IH)
        w_h, b_h, m_h = self._terms(self.gru.weight_hh_l0, self.gru.bias_hh_l0, 2.0 ** -(self.bits['h'] - 1), GATES_HH)
        t_in = round_ste((x_codes @ w_i.T + b_i) * m_i)  # the input-side terms of every frame at once
        h = x_codes.new_zeros(x_codes.shape[0], self.gru.hidden_size) if h0 is None else h0
        return _Recurrence.apply(t_in, w_h, b_h, m_h, h, self)


class _Recurrence(torch.autograd.Function):
    """FakeGRU's frame loop: forward without a graph, backward by hand with the straight-through rules of the
    functions above (identity through rounding, zero where a value saturates, a table's slope at its bucket centre),
    so a frame costs a few dozen tensor operations and no autograd nodes."""

    @staticmethod
    def forward(ctx, t_in, w_h, b_h, m_h, h, layer: FakeGRU):
        B, P, K, pre = layer.bits, layer.bits['pre'], layer.bits['table'], layer.pre_scales
        size = h.shape[1]
        r_, z_, n_ = (slice(k * size, (k + 1) * size) for k in range(3))
        out, saved = [], []
        for t_in_t in t_in.unbind(1):
            t_h = _round(torch.addmm(b_h, h, w_h.T).mul_(m_h))
            pre_r, pre_z = t_in_t[:, r_] + t_h[:, r_], t_in_t[:, z_] + t_h[:, z_]
            sat_r, sat_z, g = sat_codes(pre_r, P['r']), sat_codes(pre_z, P['z']), sat_codes(t_h[:, n_], P['n'])
            r, slope_r = _lookup('sigmoid', sat_r, P['r'], pre['r'], K['r'], B['r'])
            z, slope_z = _lookup('sigmoid', sat_z, P['z'], pre['z'], K['z'], B['z'])
            pre_n = t_in_t[:, n_] + _round(r * g / 2 ** (B['r'] - 1))
            sat_n = sat_codes(pre_n, P['n'])
            n, slope_n = _lookup('tanh', sat_n, P['n'], pre['n'], K['n'], B['n'])
            n = n * 2.0 ** (B['h'] - B['n']) if B['h'] >= B['n'] else _round(n / 2 ** (B['n'] - B['h']))
            h_minus_n = h - n
            new = n + _round(z * h_minus_n / 2 ** (B['z'] - 1))
            h_next = sat_codes(new, B['h'])
            if any(ctx.needs_input_grad):  # a saturated value passes no gradient: zero its slope
                saved.append((h, r, z, g, h_minus_n, slope_r * (sat_r == pre_r), slope_z * (sat_z == pre_z),
                              slope_n * (sat_n == pre_n), g == t_h[:, n_], h_next == new))
            h = h_next
            out.append(h)
        ctx.layer = layer
        if saved:
            ctx.save_for_backward(w_h, m_h, *(torch.stack(s) for s in zip(*saved)))
        return torch.stack(out, dim=1)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, d_out):
        B = ctx.layer.bits
        w_h, m_h, h_prev, r, z, g, h_minus_n, slope_r, slope_z, slope_n, g_inside, h_inside = ctx.saved_tensors
        d_in = torch.empty(d_out.shape[0], d_out.shape[1], 3 * d_out.shape[2], dtype=d_out.dtype, device=d_out.device)
        d_acc = torch.empty(d_out.shape[1], d_out.shape[0], 3 * d_out.shape[2], dtype=d_out.dtype, device=d_out.device)
        n_align = 2.0 ** (B['h'] - B['n'])
        d_h = torch.zeros_like(d_out[:, 0])
        for t in reversed(range(d_out.shape[1])):
            d_new = (d_out[:, t] + d_h) * h_inside[t]
            d_zh = d_new / 2 ** (B['z'] - 1)  # of z * (h - n)
            d_h = d_zh * z[t]
            d_pre_n = (d_new - d_h) * n_align * slope_n[t]
            d_rg = d_pre_n / 2 ** (B['r'] - 1)  # of r * g
            d_pre_r, d_pre_z = d_rg * g[t] * slope_r[t], d_zh * h_minus_n[t] * slope_z[t]
            d_in[:, t] = torch.cat((d_pre_r, d_pre_z, d_pre_n), dim=1)
            d_acc[t] = torch.cat((d_pre_r, d_pre_z, d_rg * r[t] * g_inside[t]), dim=1) * m_h
            d_h = d_h + d_acc[t] @ w_h
        flat = d_acc.reshape(-1, d_acc.shape[2])
        return d_in, flat.T @ h_prev.reshape(-1, h_prev.shape[2]), flat.sum(0), None, d_h, None

