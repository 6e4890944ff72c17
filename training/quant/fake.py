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


def _table(fn: str, widths: list, like: torch.Tensor) -> dict:
    """Constants of spec.build_table's lookup as per-column tensors of `like`'s dtype and device: `widths` lists
    (columns, pre_bits, pre_scale, table_bits, out_bits) of gates side by side (a GRU's r and z share one lookup).
    Tensors, not Python numbers: an operation with a Python number converts it first, which costs as much as the
    operation on a GRU frame."""
    values = []
    for columns, pre_bits, pre_scale, table_bits, out_bits in widths:
        step, half, out = 2 ** (pre_bits - table_bits), 2 ** (pre_bits - 1), 2 ** (out_bits - 1)
        centre = step // 2 if table_bits < pre_bits else 0
        values.append((columns, dict(half=half, step=step, offset=centre - half, pre_scale=pre_scale, out=out,
                                     low=0 if fn == 'sigmoid' else 1 - out, top=out - 1, slope=out * pre_scale)))
    return {k: torch.cat([torch.full((n,), v[k], dtype=like.dtype, device=like.device) for n, v in values])
            for k in values[0][1]} | {'fn': fn, 'gates': len(widths), 'one_half': like.new_tensor(0.5)}


def _lookup(p: torch.Tensor, c: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """(codes, f) for P-bit codes p, without a graph: the table entries of spec.build_table (the function at the
    bucket centre, rounded) and the function's values at the bucket centres, which _slope needs. Side by side
    gates get the function each on its own contiguous tensor, as one by one: PyTorch computes the last
    (size mod 32) elements of a tensor with a scalar exp that can differ from the vector one in the last bit."""
    with torch.no_grad():
        v = (p + c['half']).div_(c['step']).floor_().mul_(c['step']).add_(c['offset'])  # integers: exact
        fn = torch.sigmoid_ if c['fn'] == 'sigmoid' else torch.tanh_
        v = v.mul_(c['pre_scale'])
        f = fn(v) if c['gates'] == 1 else torch.cat([fn(g.contiguous()) for g in v.chunk(c['gates'], dim=-1)], dim=-1)
        return torch.clamp((f * c['out']).add_(c['one_half']).floor_(), c['low'], c['top']), f


def _slope(f: torch.Tensor, c: dict) -> torch.Tensor:
    """The straight-through derivative of _lookup's codes by p: the function's slope at the bucket centre (f its
    value there), zero where the codes saturate."""
    rounded = (f * c['out']).add_(c['one_half']).floor_()
    slope = f * (1 - f) if c['fn'] == 'sigmoid' else 1 - f * f
    return slope.mul_(c['slope']).mul_(_inside(rounded, c['low'], c['top']))


def _inside(x: torch.Tensor, low, top) -> torch.Tensor:
    """1 where clamping x to [low, top] leaves it (and its gradient) unchanged, else 0."""
    return ((x >= low) & (x <= top)).to(x.dtype)


def table_lookup(fn: str, p: torch.Tensor, pre_bits: int, pre_scale: float, table_bits: int, out_bits: int):
    """The table of spec.build_table applied to P-bit codes p: the function at the bucket centre, rounded;
    gradient: the function's slope at the bucket centre (zero where the codes saturate)."""
    c = _table(fn, [(p.shape[-1], pre_bits, pre_scale, table_bits, out_bits)], p)
    codes, f = _lookup(p, c)
    return codes + (p - p.detach()) * _slope(f, c)


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
        return _Recurrence.apply(t_in, w_h, b_h, m_h, h, self._constants(x_codes))

    def _constants(self, like: torch.Tensor) -> dict:
        """The frame loop's constants as tensors (see _table): tables, saturation bounds, shifts."""
        B, P, K, pre, size = self.bits, self.bits['pre'], self.bits['table'], self.pre_scales, self.gru.hidden_size

        def bounds(*widths):
            tops = torch.cat([torch.full((size,), 2 ** (b - 1) - 1, dtype=like.dtype, device=like.device) for b in widths])
            return -tops, tops

        def scalar(v):
            return like.new_tensor(v)

        return dict(rz=_table('sigmoid', [(size, P[g], pre[g], K[g], B[g]) for g in 'rz'], like),
                    n=_table('tanh', [(size, P['n'], pre['n'], K['n'], B['n'])], like),
                    rz_bounds=bounds(P['r'], P['z']), n_bounds=bounds(P['n']), h_bounds=bounds(B['h']),
                    half=scalar(0.5), r_shift=scalar(2.0 ** -(B['r'] - 1)), z_shift=scalar(2.0 ** -(B['z'] - 1)),
                    n_align=scalar(2.0 ** (B['h'] - B['n'])), n_rounds=B['h'] < B['n'])


class _Recurrence(torch.autograd.Function):
    """FakeGRU's frame loop: forward without a graph, backward by hand with the straight-through rules of the
    functions above (identity through rounding, zero where a value saturates, a table's slope at its bucket
    centre). A frame costs a few dozen small tensor operations and no autograd nodes; the straight-through
    factors of all frames are computed at once in backward. Multiplying by a power of two (a shift) is exact,
    so it stands for the division of the other layers."""

    @staticmethod
    def forward(ctx, t_in, w_h, b_h, m_h, h, c: dict):
        size = h.shape[1]
        rz_, n_ = slice(0, 2 * size), slice(2 * size, 3 * size)
        keep = any(ctx.needs_input_grad)
        out, saved = [], []
        w_h_t = w_h.T
        for t_in_t in t_in.transpose(0, 1).contiguous().unbind(0):  # frames contiguous
            t_h = (h @ w_h_t).add_(b_h).mul_(m_h).add_(c['half']).floor_()
            pre_rz = t_in_t[:, rz_] + t_h[:, rz_]
            rz, f_rz = _lookup(torch.clamp(pre_rz, *c['rz_bounds']), c['rz'])
            r, z = rz[:, :size], rz[:, size:]
            g = torch.clamp(t_h[:, n_], *c['n_bounds'])
            pre_n = (r * g).mul_(c['r_shift']).add_(c['half']).floor_().add_(t_in_t[:, n_])
            n, f_n = _lookup(torch.clamp(pre_n, *c['n_bounds']), c['n'])
            n = n.mul_(c['n_align']).add_(c['half']).floor_() if c['n_rounds'] else n.mul_(c['n_align'])
            h_minus_n = h - n
            new = (z * h_minus_n).mul_(c['z_shift']).add_(c['half']).floor_().add_(n)
            if keep:
                saved.append((h, pre_rz, f_rz, rz, t_h[:, n_], pre_n, f_n, h_minus_n, new))
            h = torch.clamp(new, *c['h_bounds'])
            out.append(h)
        ctx.constants = c
        if keep:
            ctx.save_for_backward(w_h, m_h, *(torch.stack(s) for s in zip(*saved)))
        return torch.stack(out, dim=1)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, d_out):
        c = ctx.constants
        w_h, m_h, h_prev, pre_rz, f_rz, rz, g_pre, pre_n, f_n, h_minus_n, new = ctx.saved_tensors
        size = d_out.shape[2]
        # The straight-through factors of all frames at once ([T, B, ...]); per frame, from the gradient d of the
        # new state before saturation: dh = d z / 2^(Bz-1), d_pre_n = (d - dh) slope_n, d_pre_z = d by_z,
        # d_pre_r = d_pre_n by_r (through r g); the accumulators' gradients are the pre-activations' times to_acc.
        slope_rz = _slope(f_rz, c['rz']).mul_(_inside(pre_rz, *c['rz_bounds']))
        by_r = torch.clamp(g_pre, *c['n_bounds']).mul_(slope_rz[..., :size]).mul_(c['r_shift'])
        by_z = (h_minus_n * slope_rz[..., size:]).mul_(c['z_shift'])
        slope_n = _slope(f_n, c['n']).mul_(_inside(pre_n, *c['n_bounds'])).mul_(c['n_align'])
        to_acc = m_h.repeat(*rz.shape[:2], 1)
        to_acc[..., 2 * size:].mul_(rz[..., :size] * _inside(g_pre, *c['n_bounds'])).mul_(c['r_shift'])
        z_shifted, h_inside = rz[..., size:] * c['z_shift'], _inside(new, *c['h_bounds'])
        d_in, d_acc = torch.empty_like(to_acc), torch.empty_like(to_acc)  # [T, B, 3h], gates r, z, n
        d_r, d_z, d_n = (d_in[..., k * size:(k + 1) * size].unbind(0) for k in range(3))  # written frame by frame
        inside, z_shifted, by_r, by_z, slope_n, to_acc, d_in_t, d_acc_t = (
            x.unbind(0) for x in (h_inside, z_shifted, by_r, by_z, slope_n, to_acc, d_in, d_acc))
        d_out_t, d_h = d_out.unbind(1), torch.zeros_like(d_out[:, 0])
        for t in reversed(range(len(d_out_t))):
            d_new = (d_out_t[t] + d_h).mul_(inside[t])
            d_h = d_new * z_shifted[t]
            torch.mul(d_new, by_z[t], out=d_z[t])
            torch.mul(torch.sub(d_new, d_h, out=d_n[t]).mul_(slope_n[t]), by_r[t], out=d_r[t])
            d_h = torch.addmm(d_h, torch.mul(d_in_t[t], to_acc[t], out=d_acc_t[t]), w_h)
        d_acc = d_acc.reshape(-1, 3 * size)
        return d_in.transpose(0, 1), d_acc.T @ h_prev.reshape(-1, size), d_acc.sum(0), None, d_h, None
