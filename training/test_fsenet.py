"""Checks of fsenet-dyn's model, export and training script.

    python3 training/test_fsenet.py            # the fast checks (seconds)
    python3 training/test_fsenet.py --slow     # plus a 20-step training run resumed at step 10 (needs the data)
"""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_fsenet  # noqa: E402
import gates as gate_ref  # noqa: E402
import reference  # noqa: E402
import thm  # noqa: E402
from models.fsenet import FSENet, ratio_loss, straight_through  # noqa: E402
from train_fsenet import static_masks  # noqa: E402

HERE = Path(__file__).resolve().parent
SLOW = '--slow' in sys.argv


def small_model(seed: int = 0) -> FSENet:
    """A small FSENet whose gates switch a good share of channels off (trained ones do; fresh ones keep all on)."""
    torch.manual_seed(seed)
    model = FSENet(width=16, channels=24, stacks=2, dilations=(1, 2), gate_hidden=4)
    with torch.no_grad():
        model.norm.set_stats(torch.full((161,), -6.0), torch.full((161,), 2.0))
        for block in model.blocks:
            block.gate.logits.bias.normal_(0, 1)
            block.gate.logits_ratio.normal_(0, 2)
            block.gate.hidden_ratio.normal_(0, 1)
            block.dw_bias.normal_(0, 0.1)
    return model.eval()


class StraightThrough(unittest.TestCase):
    def test_hard_forward_sigmoid_backward(self):
        logits = torch.tensor([-2.0, -0.1, 0.1, 3.0], requires_grad=True)
        out = straight_through(logits, 1.0)
        self.assertEqual(out.tolist(), [0.0, 0.0, 1.0, 1.0])
        out.sum().backward()
        s = torch.sigmoid(logits.detach())
        self.assertTrue(torch.allclose(logits.grad, s * (1 - s)))

    def test_ratio_loss_is_zero_at_the_target_share(self):
        gates = [torch.tensor([[[1.0, 0.0, 0.0, 0.0]]]), torch.tensor([[[0.0, 1.0, 0.0, 0.0]]])]
        self.assertEqual(float(ratio_loss(gates, torch.tensor([0.25]))), 0.0)
        self.assertAlmostEqual(float(ratio_loss(gates, torch.tensor([0.75]))), 0.25)


def padded_depthwise(block, h: torch.Tensor) -> torch.Tensor:
    """Block.depthwise as the plain autograd composition: a left-padded input, the taps added oldest first."""
    t = h.shape[1]
    padded = torch.nn.functional.pad(h, (0, 0, (block.kernel - 1) * block.dilation, 0))
    y = block.dw_bias
    for j in range(block.kernel):
        y = y + block.dw_weight[:, j] * padded[:, j * block.dilation:j * block.dilation + t]
    return torch.relu(y)


class Model(unittest.TestCase):
    def test_depthwise_equals_the_padded_composition(self):
        """Forward bit for bit; gradients (input, taps, bias) to float rounding; dilations up to beyond the clip."""
        torch.manual_seed(5)
        model = FSENet(width=8, channels=12, stacks=1, dilations=(1, 4, 16))
        for block in model.blocks:
            with torch.no_grad():
                block.dw_bias.normal_(0, 0.5)
            h = torch.relu(torch.randn(3, 10, 12)).requires_grad_()
            weights = torch.randn(3, 10, 12)
            fast, slow = block.depthwise(h), padded_depthwise(block, h)
            self.assertTrue(torch.equal(fast, slow))
            inputs = [h, block.dw_weight, block.dw_bias]
            for got, want in zip(torch.autograd.grad((fast * weights).sum(), inputs),
                                 torch.autograd.grad((slow * weights).sum(), inputs)):
                self.assertGreater(float(want.abs().max()), 0)
                torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)

    def test_gated_block_equals_the_masked_composition(self):
        """A gated block (expand, relu, mask, depthwise, mask, project) against the same operations one by one:
        forward bit for bit; gradients of every parameter and of the gate logits to float rounding."""
        model = small_model(6).train()
        block = model.blocks[1]
        x = torch.randn(2, 30, 16).requires_grad_()
        logits = (torch.randn(2, 30, 24) * 2).requires_grad_()
        weights = torch.randn(2, 30, 16)
        mask = straight_through(logits, 0.7)
        self.assertTrue(0.2 < float(mask.mean()) < 0.8)
        fast = block(x, mask)
        slow = x + block.project(padded_depthwise(block, torch.relu(block.expand(x)) * mask) * mask)
        self.assertTrue(torch.equal(fast, slow))
        inputs = [x, logits, *block.expand.parameters(), block.dw_weight, block.dw_bias, *block.project.parameters()]
        for got, want in zip(torch.autograd.grad((fast * weights).sum(), inputs, retain_graph=True),
                             torch.autograd.grad((slow * weights).sum(), inputs)):
            self.assertGreater(float(want.abs().max()), 0)
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)

    def test_causal_with_gates(self):
        model = small_model()
        feats = torch.randn(1, 50, 161) * 2 - 6
        later = feats.clone()
        later[:, 30:] += torch.randn(1, 20, 161)
        a, ga = model(feats, torch.tensor([0.5]))
        b, gb = model(later, torch.tensor([0.5]))
        self.assertTrue(torch.equal(a[:, :30], b[:, :30]))
        self.assertFalse(torch.equal(a[:, 30:], b[:, 30:]))
        self.assertTrue(all(torch.equal(x[:, :30], y[:, :30]) for x, y in zip(ga, gb)))

    def test_default_size_fits_the_nsnet_ee_budget(self):
        macs = FSENet().macs()
        self.assertEqual(macs['total'], 981120)        # nsnet-ee's full exit: 999,936
        self.assertEqual(FSENet().macs(0.25)['total'], 335280)

    def test_static_masks_keep_the_most_important_channels(self):
        importance = torch.tensor([[0.1, 0.9, 0.5, 0.2], [3.0, 1.0, 2.0, 0.0]])
        self.assertEqual(static_masks(importance, 0.5).tolist(), [[0, 1, 1, 0], [1, 0, 1, 0]])


class Export(unittest.TestCase):
    def write(self, model: FSENet, path: Path) -> dict:
        layers, gates, tensors = export_fsenet.layers_and_tensors(model)
        ckpt = {'step': 0, 'elapsed_s': 0.0, 'args': {}}
        thm.write_model(path, export_fsenet.header(model, layers, gates, 'fsenet-test', ckpt), tensors)
        return thm.read_model(path)[0]

    def test_gated_file_matches_the_model_frame_by_frame(self):
        model = small_model()
        x = np.random.default_rng(3).standard_normal(160 * 60).astype(np.float32) * 0.1
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / 'm.thm'
            h = self.write(model, path)
            self.assertEqual(reference.macs_per_frame(h, 0), model.macs()['total'])
            for ratio in (0.25, 1.0):
                check = export_fsenet.verify(model, path, ratio, x)
                self.assertLessEqual(check['maxDiff'], 1e-5)
                self.assertEqual(check['decisionFlips'], 0)
                self.assertTrue(0.05 < check['share'] < 0.95, check)       # the gates really switch channels
                expected = model.macs(check['share'])['total']
                self.assertAlmostEqual(check['macsPerFrame'], expected, delta=1e-6 * expected)

    def test_a_broken_export_fails_the_check(self):
        model = small_model()
        x = np.random.default_rng(4).standard_normal(160 * 30).astype(np.float32) * 0.1
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / 'm.thm'
            self.write(model, path)
            with torch.no_grad():
                model.blocks[1].gate.logits_ratio.add_(0.5)     # the file no longer holds this model
            check = export_fsenet.verify(model, path, 0.5, x)
            self.assertGreater(check['maxDiff'] + check['decisionFlips'], 1e-5)

    def test_static_file_has_smaller_layers_and_no_gates(self):
        model = small_model()
        model.set_static_masks(static_masks(torch.rand(len(model.blocks), 24), 0.25))
        x = np.random.default_rng(5).standard_normal(160 * 40).astype(np.float32) * 0.1
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / 'm.thm'
            h = self.write(model, path)
            self.assertEqual(h['gates'], [])
            self.assertEqual({layer['channels'] for layer in h['layers'] if layer['op'] == 'dwconv'}, {6})
            self.assertEqual(reference.macs_per_frame(h, 0), model.macs(0.25, gated=False)['total'])
            self.assertLessEqual(export_fsenet.verify(model, path, 1.0, x)['maxDiff'], 1e-5)

    def test_int8_weights_file_matches_the_rounded_model_at_a_quarter_of_the_bytes(self):
        x = np.random.default_rng(6).standard_normal(160 * 40).astype(np.float32) * 0.1
        static = small_model()
        static.set_static_masks(static_masks(torch.rand(len(static.blocks), 24), 0.5))
        for model in (small_model(), static):
            with tempfile.TemporaryDirectory() as tmp:
                plain, packed = Path(tmp) / 'f32.thm', Path(tmp) / 'int8.thm'
                self.write(model, plain)
                names = export_fsenet.round_weights_to_int8_(model)
                layers, gates, tensors = export_fsenet.layers_and_tensors(model)
                ckpt = {'step': 0, 'elapsed_s': 0.0, 'args': {}}
                thm.write_model(packed, export_fsenet.header(model, layers, gates, 'fsenet-test', ckpt),
                                export_fsenet.encode_int8(tensors, names))
                h = thm.read_model(packed)[0]
                self.assertEqual(len(names), len(model.blocks) * (2 if model.static else 4))
                self.assertEqual({t['dtype'] for t in h['tensors'] if t['name'] in names}, {'int8'})
                stored = {t['name']: t['byteLength'] for t in h['tensors']}
                self.assertEqual(sum(stored[n] for n in names), sum(tensors[n].size for n in names))   # a byte each
                self.assertEqual(sum(stored[n + '.scale'] for n in names), 4 * sum(len(tensors[n]) for n in names))
                self.assertLess(packed.stat().st_size, plain.stat().st_size)
                for ratio in ((1.0,) if model.static else (0.25, 1.0)):
                    check = export_fsenet.verify(model, packed, ratio, x)
                    self.assertLessEqual(check['maxDiff'], 1e-5)
                    self.assertEqual(check['decisionFlips'], 0)

    def test_int8_encoding_refuses_weights_off_the_grid(self):
        _, _, tensors = export_fsenet.layers_and_tensors(small_model())
        with self.assertRaises(ValueError):
            export_fsenet.encode_int8(tensors, ['block0.expand.weight'])

    def test_ratio_weight_shifts_the_bias(self):
        model = small_model()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / 'm.thm'
            h = self.write(model, path)
            tensors = thm.read_model(path)[1]
        feats = torch.randn(161) - 6
        logits = []
        for ratio in (0.0, 1.0):
            net = gate_ref.GatedInterpreter(h, tensors, ratio)
            net.step_gated(feats)
            logits.append(net.logits[0])
        self.assertFalse(torch.allclose(logits[0], logits[1]))


@unittest.skipUnless(SLOW, 'training run: pass --slow')
class Resume(unittest.TestCase):
    def run_train(self, out: Path, *extra, steps: int = 20):
        cmd = [sys.executable, str(HERE / 'train_fsenet.py'), '--steps', str(steps), '--batch', '2', '--crop-seconds', '1',
               '--warmup', '5', '--valid-every', '1000', '--out', str(out), '--sizes', 'width=16,channels=24,stacks=1',
               *extra]
        subprocess.run(cmd, check=True, capture_output=True)
        return torch.load(out / 'last.pt', weights_only=False)

    def test_resume_is_exact(self):
        with tempfile.TemporaryDirectory() as tmp:
            straight = self.run_train(Path(tmp) / 'a')
            self.run_train(Path(tmp) / 'b', '--stop-at', '10')
            resumed = self.run_train(Path(tmp) / 'b', '--resume')
        self.assertEqual(resumed['step'], 20)
        for key in ('model', 'ema'):
            for name, value in straight[key].items():
                self.assertTrue(torch.equal(value, resumed[key][name]), f'{key}.{name}')
        self.assertEqual(straight['mixer_rng'], resumed['mixer_rng'])
        self.assertEqual(straight['ratio_rng'], resumed['ratio_rng'])

    def test_shorten_to_ends_the_schedule_earlier_and_keeps_the_new_plan(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.run_train(Path(tmp) / 'c', '--stop-at', '10')
            shortened = self.run_train(Path(tmp) / 'c', '--resume', '--shorten-to', '15', '--stop-at', '12')
            self.assertEqual(shortened['args']['steps'], 15)
            self.assertEqual(shortened['replan']['at'], 10)
            done = self.run_train(Path(tmp) / 'c', '--resume', steps=15)
        self.assertEqual(done['step'], 15)
        self.assertEqual(done['replan'], shortened['replan'])


if __name__ == '__main__':
    unittest.main(argv=[a for a in sys.argv if a != '--slow'])
