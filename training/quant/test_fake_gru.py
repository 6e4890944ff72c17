"""Checks of fake.py's fast paths: FakeGRU's frame loop (one matmul for the three hidden-side gates, forward
without a graph, backward by hand) and table_lookup's one-node straight-through gradient.

    python3 training/quant/test_fake_gru.py

Forward: the integer reference (reference.gru_sequence, docs/integer.md) code for code, and the plain
composition of the straight-through functions (the frame loop as autograd sees it) bit for bit.
Backward: that composition's autograd gradients, to float rounding.
"""
import sys
import unittest
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quant import convert, fake, reference  # noqa: E402
from quant.fake import round_ste, sat_codes  # noqa: E402

R = 4.0  # pre-activation range; docs/integer.md's 16 would make clipped values' slopes ~0 anyway


def bits_config(h_bits: int, n_bits: int) -> dict:
    """Mixed widths: the gates' weights, pre-activations and tables differ, so every branch of the loop runs."""
    return {'ir': 8, 'iz': 6, 'in': 5, 'hr': 7, 'hz': 4, 'hn': 8, 'bias': 24, 'r': 12, 'z': 16, 'n': n_bits,
            'h': h_bits, 'pre': {'r': 10, 'z': 16, 'n': 8}, 'table': {'r': 6, 'z': 12, 'n': 8}}


def make_gru(seed: int, inputs: int = 6, hidden: int = 8, dtype=torch.float32) -> nn.GRU:
    torch.manual_seed(seed)
    gru = nn.GRU(inputs, hidden, batch_first=True).to(dtype)
    with torch.no_grad():
        for p in gru.parameters():
            p.mul_(4)  # pre-activations beyond R: saturation on every path
    return gru


def fake_gru(gru: nn.GRU, bits: dict, in_bits: int = 12, in_scale: float = 0.01) -> fake.FakeGRU:
    pre = {g: R / (2 ** (bits['pre'][g] - 1) - 1) for g in 'rzn'}
    return fake.FakeGRU(gru, bits, in_bits, in_scale, pre)


def input_codes(batch: int, frames: int, inputs: int, in_bits: int = 12, dtype=torch.float32) -> torch.Tensor:
    top = 2 ** (in_bits - 1) - 1
    return torch.randint(-top, top + 1, (batch, frames, inputs)).to(dtype)


def reference_lookup(fn, p, pre_bits, pre_scale, table_bits, out_bits):
    """table_lookup as three straight-through steps (bucket centre, function, rounding) for autograd."""
    step = 2 ** (pre_bits - table_bits)
    idx = torch.floor((p + 2 ** (pre_bits - 1)) / step)
    centre = step // 2 if table_bits < pre_bits else 0
    v = p + ((idx * step - 2 ** (pre_bits - 1) + centre) - p).detach()
    f = torch.sigmoid(v * pre_scale) if fn == 'sigmoid' else torch.tanh(v * pre_scale)
    return sat_codes(round_ste(f * 2 ** (out_bits - 1)), out_bits, 0.0 if fn == 'sigmoid' else None)


def reference_forward(layer: fake.FakeGRU, x_codes: torch.Tensor) -> torch.Tensor:
    """FakeGRU.forward as a plain autograd composition: per frame and gate, one matmul and the straight-through
    functions of docs/integer.md's GRU step, term by term."""
    B, P, K, pre = layer.bits, layer.bits['pre'], layer.bits['table'], layer.pre_scales
    size = layer.gru.hidden_size
    h_scale = 2.0 ** -(B['h'] - 1)
    terms = {}
    for k, (gi, gh) in enumerate(zip(convert.GATES_IH, convert.GATES_HH)):
        rows = slice(k * size, (k + 1) * size)
        for g, w, b, xs in ((gi, layer.gru.weight_ih_l0, layer.gru.bias_ih_l0, layer.in_scale),
                            (gh, layer.gru.weight_hh_l0, layer.gru.bias_hh_l0, h_scale)):
            w_q, s_w = fake.weight_codes(w[rows], B[g])
            terms[g] = (w_q, fake.to_codes(b[rows], s_w * xs, B['bias']), s_w * xs / pre['rzn'[k]])
    t_in = {g: round_ste((x_codes @ terms[g][0].T + terms[g][1]) * terms[g][2]) for g in convert.GATES_IH}
    h = x_codes.new_zeros(x_codes.shape[0], size)
    out = []
    for t in range(x_codes.shape[1]):
        t_h = {g: round_ste((h @ terms[g][0].T + terms[g][1]) * terms[g][2]) for g in convert.GATES_HH}
        r = reference_lookup('sigmoid', sat_codes(t_in['ir'][:, t] + t_h['hr'], P['r']), P['r'], pre['r'], K['r'], B['r'])
        z = reference_lookup('sigmoid', sat_codes(t_in['iz'][:, t] + t_h['hz'], P['z']), P['z'], pre['z'], K['z'], B['z'])
        g = sat_codes(t_h['hn'], P['n'])
        n_pre = sat_codes(t_in['in'][:, t] + round_ste(r * g / 2 ** (B['r'] - 1)), P['n'])
        n = reference_lookup('tanh', n_pre, P['n'], pre['n'], K['n'], B['n'])
        n = n * 2.0 ** (B['h'] - B['n']) if B['h'] >= B['n'] else round_ste(n / 2 ** (B['n'] - B['h']))
        h = sat_codes(n + round_ste(z * (h - n) / 2 ** (B['z'] - 1)), B['h'])
        out.append(h)
    return torch.stack(out, dim=1)


def gradients(gru: nn.GRU, x: torch.Tensor, outputs: torch.Tensor, weights: torch.Tensor) -> list:
    return torch.autograd.grad((outputs * weights).sum(), [x, *gru.parameters()])


class IntegerReference(unittest.TestCase):
    def test_codes_equal_reference_gru_sequence(self):
        """In float64 every accumulation is exact, so the fake layer is the integer layer."""
        for h_bits, n_bits in ((16, 12), (10, 14)):  # n aligned up, then down (rounded)
            with self.subTest(h=h_bits, n=n_bits):
                bits = bits_config(h_bits, n_bits)
                layer = fake_gru(make_gru(1, dtype=torch.float64), bits)
                x = input_codes(3, 40, 6, dtype=torch.float64)
                with torch.no_grad():
                    codes = layer(x).numpy()
                g = layer.gru
                int_layer = convert.gru_layer(*(p.detach().numpy() for p in (g.weight_ih_l0, g.weight_hh_l0,
                                                                              g.bias_ih_l0, g.bias_hh_l0)),
                                              bits, 12, layer.in_scale, layer.pre_scales)
                for b in range(len(x)):
                    expected = reference.gru_sequence(int_layer, x[b].numpy().astype(np.int64))
                    np.testing.assert_array_equal(codes[b].astype(np.int64), expected)
                self.assertGreater(np.abs(codes).max(), 2 ** (h_bits - 1) / 4)  # far from a trivial state


class Autograd(unittest.TestCase):
    def test_forward_bit_equal_and_gradients_equal_autograd(self):
        for h_bits, n_bits in ((16, 12), (10, 14)):
            with self.subTest(h=h_bits, n=n_bits):
                bits = bits_config(h_bits, n_bits)
                gru = make_gru(2, inputs=6, hidden=13)  # batch x hidden no multiple of 32
                layer = fake_gru(gru, bits)
                x = input_codes(5, 60, 6).requires_grad_()
                weights = torch.randn(5, 60, 13)
                fast, slow = layer(x), reference_forward(layer, x)
                self.assertTrue(torch.equal(fast, slow))
                for got, want in zip(gradients(gru, x, fast, weights), gradients(gru, x, slow, weights)):
                    self.assertGreater(float(want.abs().max()), 0)
                    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6 * float(want.abs().max()))

    def test_side_by_side_gates_see_the_function_as_one_by_one(self):
        """r and z share one lookup; each gate's sigmoid values are bit for bit those of its own [B, h] tensor, also
        where B h is no multiple of 32 (PyTorch's scalar tail can differ from its vector path in the last bit)."""
        torch.manual_seed(0)
        batch, size, scale = 7, 21, 16.0 / (2 ** 15 - 1)
        p = torch.randint(-2 ** 15 + 1, 2 ** 15, (batch, 2 * size)).float()
        table = fake._table('sigmoid', [(size, 16, scale, 12, 16), (size, 16, scale, 12, 16)], p)
        codes, f = fake._lookup(p, table)
        for k in range(2):
            gate = p[:, k * size:(k + 1) * size].contiguous()
            centre = torch.floor((gate + 2 ** 15) / 16) * 16 - 2 ** 15 + 8
            one_by_one = torch.sigmoid(centre * scale)
            self.assertTrue(torch.equal(f[:, k * size:(k + 1) * size], one_by_one))
            self.assertTrue(torch.equal(codes[:, k * size:(k + 1) * size], reference_lookup('sigmoid', gate, 16, scale, 12, 16)))

    def test_table_lookup_gradient_is_the_slope_at_the_bucket_centre(self):
        for fn in ('sigmoid', 'tanh'):
            p = torch.arange(-2 ** 11 + 1, 2 ** 11, 7, dtype=torch.float32).requires_grad_()
            args = (fn, p, 12, 16.0 / (2 ** 11 - 1), 8, 9)  # the codes saturate towards both ends
            fast, slow = fake.table_lookup(*args), reference_lookup(*args)
            self.assertTrue(torch.equal(fast, slow))
            weights = torch.randn(len(p))
            got, = torch.autograd.grad((fast * weights).sum(), p)
            want, = torch.autograd.grad((slow * weights).sum(), p)
            self.assertTrue(bool((want == 0).any()) and bool((want != 0).any()))  # saturated and live codes
            torch.testing.assert_close(got, want, rtol=1e-5, atol=0)  # float rounding of the slope


if __name__ == '__main__':
    unittest.main()
