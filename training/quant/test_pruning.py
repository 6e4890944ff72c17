"""Checks of learned pruning (pruning.py, fake_model.py, train_pruned.py).

    python3 training/quant/test_pruning.py           # masks, schedule, unit removal, then a 3-step run of each
                                                     # kind exported and read by `tinyhush info`, and an exact resume
    python3 training/quant/test_pruning.py --fast    # without the runs (they need the data, the CLI and minutes)
"""
import copy
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thm  # noqa: E402
from models.nsnet_ee import NsNetEE, from_model_file  # noqa: E402
from quant import fake, pruning  # noqa: E402
from quant.fake_model import FakeQuantModel  # noqa: E402
from quant.ptq import config  # noqa: E402
from quant.run_int_model import run_model  # noqa: E402
from quant.train_pruned import export  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FAST = '--fast' in sys.argv


def small_file(seed: int = 0) -> tuple[dict, dict]:
    """(header, floats) of a small NsNetEE as a float model file holds them (speech presence included)."""
    torch.manual_seed(seed)
    model = NsNetEE(fc_in=12, gru1=8, anc0=6, gru2=12, anc1=4, fc=8, presence=4)
    layers, floats = [], {}
    for layer in model.layers():
        m, name = layer['module'], layer['name']
        spec = {'name': name, 'op': layer['op'], 'input': layer['input']}
        if layer['op'] == 'dense':
            spec |= {'in': m.in_features, 'out': m.out_features, 'activation': layer['activation'],
                     'weight': f'{name}.weight', 'bias': f'{name}.bias'}
            pairs = {'weight': m.weight, 'bias': m.bias}
        else:
            spec |= {'in': m.input_size, 'hidden': m.hidden_size, 'weightIh': f'{name}.weight_ih',
                     'weightHh': f'{name}.weight_hh', 'biasIh': f'{name}.bias_ih', 'biasHh': f'{name}.bias_hh'}
            pairs = {'weight_ih': m.weight_ih_l0, 'weight_hh': m.weight_hh_l0, 'bias_ih': m.bias_ih_l0, 'bias_hh': m.bias_hh_l0}
        floats |= {f'{name}.{k}': v.detach().numpy().copy() for k, v in pairs.items()}
        layers.append(spec)
    header = {'name': 'small', 'layers': layers, 'speechPresence': {'output': 'presence.out'},
              'exits': [{'name': e['name'], 'output': e['output'], 'layers': e['layers']} for e in model.exits()]}
    return header, floats


def homogeneous_bits(header: dict, weight_bits: int = 8) -> dict:
    """ptq.config's w<N>a16 as a bit configuration JSON for `header`."""
    cfg = config(weight_bits, 16)
    layers = {}
    for layer in header['layers']:
        if layer['op'] == 'gru':
            layers[layer['name']] = dict(cfg['gru'])
        else:
            tabled = layer['activation'] in ('sigmoid', 'tanh')
            layers[layer['name']] = cfg['dense']() | (dict(pre=16, table=cfg['table']) if tabled else {})
    return {'features': cfg['features'], 'layers': layers}


def pruner_for(header, kind: str, sparsity: float, schedule=pruning.Schedule(0, 1, 1)) -> pruning.Pruner:
    bits = homogeneous_bits(header)
    return pruning.Pruner(header, bits, kind, pruning.layer_targets(header, kind, sparsity), schedule)


class Schedule(unittest.TestCase):
    def test_zhu_gupta_values(self):
        s = pruning.Schedule(start=10, every=5, updates=4)
        self.assertEqual(s.sparsity(9, 0.8), 0.0)
        self.assertEqual(s.sparsity(10, 0.8), 0.0)
        self.assertAlmostEqual(s.sparsity(15, 0.8), 0.8 * (1 - 0.75 ** 3))
        self.assertAlmostEqual(s.sparsity(17, 0.8), s.sparsity(15, 0.8))  # held between updates
        self.assertAlmostEqual(s.sparsity(20, 0.8), 0.8 * (1 - 0.5 ** 3))
        self.assertAlmostEqual(s.sparsity(30, 0.8), 0.8)
        self.assertAlmostEqual(s.sparsity(1000, 0.8), 0.8)
        self.assertEqual([t for t in range(40) if s.is_update(t)], [10, 15, 20, 25, 30])
        self.assertAlmostEqual(pruning.Schedule(0, 1, 2, initial=0.2).sparsity(1, 0.8), 0.8 - 0.6 * 0.125)

    def test_for_run(self):
        self.assertEqual(pruning.for_run(3, 1), pruning.Schedule(0, 1, 2))
        run = pruning.for_run(2000, 50, 0.1, 0.75)
        self.assertEqual((run.start, run.every, run.end), (200, 50, 1500))
        with self.assertRaises(ValueError):
            pruning.Schedule(0, 0, 1)


class Masks(unittest.TestCase):
    def setUp(self):
        self.header, self.floats = small_file()
        self.model = from_model_file(self.header, self.floats)

    def test_weight_exact_and_by_quantized_magnitude(self):
        p = pruner_for(self.header, 'weight', 0.6)
        p.recompute(self.model, p.targets)
        self.assertEqual(len(p.matrices), 10 + 2 * 6)
        self.assertNotIn('presence.anc', p.targets)  # not trained by the exit losses
        for m in p.matrices:
            mask, w = p.masks[m.name], m.tensor(self.model)
            if m.layer not in p.targets:
                self.assertTrue(mask.all(), m.name)
                continue
            self.assertEqual(int((~mask).sum()), round(0.6 * w.numel()), m.name)
            mag = pruning.quantized_magnitude(w, m.bits)
            self.assertLessEqual(float(mag[~mask].max()), float(mag[mask].min()), m.name)

    def test_block_grid_and_count(self):
        p = pruner_for(self.header, 'block', 0.5)
        p.recompute(self.model, p.targets)
        for m in (m for m in p.matrices if m.layer in p.targets):
            mask = p.masks[m.name]
            rows, cols = mask.shape
            blocks = [mask[r:r + 4, c:c + 4] for r in range(0, rows, 4) for c in range(0, cols, 4)]
            self.assertTrue(all(b.all() or not b.any() for b in blocks), m.name)
            self.assertEqual(sum(not b.any() for b in blocks), round(0.5 * len(blocks)), m.name)
        self.assertEqual(p.masks['fc_in'].shape[1] % 4, 1)  # 161 columns: a partial block column at the edge

    def test_unit_rows_and_consumer_columns(self):
        p = pruner_for(self.header, 'unit', 0.5)
        p.recompute(self.model, p.targets)
        removed = p.removed_units()
        self.assertNotIn('exit0.mask', removed)
        self.assertNotIn('presence.out', removed)
        self.assertEqual({k: len(v) for k, v in removed.items()},
                         {'fc_in': 6, 'gru1': 4, 'exit0.anc': 3, 'gru2': 6, 'exit1.anc': 2, 'fc1': 4, 'fc2': 4})
        gone = removed['gru1']
        for name in ('gru1.ir', 'gru1.iz', 'gru1.in', 'gru1.hr', 'gru1.hz', 'gru1.hn'):
            self.assertFalse(p.masks[name][gone].any(), name)
        for name in ('gru1.hr', 'gru1.hz', 'gru1.hn', 'gru2.ir', 'gru2.iz', 'gru2.in', 'exit0.anc', 'presence.anc'):
            self.assertFalse(p.masks[name][:, gone].any(), name)
        kept = [i for i in range(8) if i not in gone]
        self.assertTrue(p.masks['exit0.anc'][:, kept].any())
        self.assertFalse(p.masks['gru1.ir'][:, removed['fc_in']].any())

    def test_removed_units_give_the_same_model(self):
        p = pruner_for(self.header, 'unit', 0.5)
        p.recompute(self.model, p.targets)
        p.apply(self.model)
        floats = {}
        for layer in self.header['layers']:
            module = self.model.get_submodule(layer['name'])
            for attr, field in (('weight', 'weight'), ('bias', 'bias'), ('weight_ih_l0', 'weightIh'),
                                ('weight_hh_l0', 'weightHh'), ('bias_ih_l0', 'biasIh'), ('bias_hh_l0', 'biasHh')):
                if field in layer:
                    floats[layer[field]] = getattr(module, attr).detach().numpy().copy()
        header, smaller = pruning.remove_units(self.header, floats, p.removed_units())
        small = from_model_file(header, smaller)
        self.assertEqual(small.sizes, dict(fc_in=6, gru1=4, anc0=3, gru2=6, anc1=2, fc=4, presence=4))
        x = torch.randn(2, 7, 161)
        with torch.no_grad():
            for a, b in zip(self.model(x), small(x)):
                torch.testing.assert_close(a, b, atol=1e-6, rtol=0)
            torch.testing.assert_close(self.model.presence(self.model.shallow(x)), small.presence(small.shallow(x)),
                                       atol=1e-6, rtol=0)

    def test_masked_weights_stay_zero_and_code_zero(self):
        scales = {'features': 0.01, 'layers': {}}
        for layer in self.header['layers']:
            tabled = layer['op'] == 'dense' and layer['activation'] == 'sigmoid'
            scales['layers'][layer['name']] = ({'pre': {g: 16 / 32767 for g in 'rzn'}} if layer['op'] == 'gru' else
                                               {'pre': 16 / 32767} if tabled else {'out': 0.002})
        bits = homogeneous_bits(self.header)
        for kind in pruning.KINDS:
            model = from_model_file(*small_file(1))
            p = pruning.Pruner(self.header, bits, kind, pruning.layer_targets(self.header, kind, 0.5),
                               pruning.Schedule(0, 2, 2))
            quant = FakeQuantModel(model, self.header, bits, scales)
            opt = torch.optim.Adam(model.parameters(), lr=1e-2)
            before = {m.name: m.tensor(model).detach().clone() for m in p.matrices}
            for step in range(6):
                p.update(model, step)
                loss = sum(g.square().mean() for g in quant(torch.randn(2, 5, 161) * 3))
                opt.zero_grad()
                loss.backward()
                p.mask_grads(model)
                opt.step()
                p.apply(model)
            for m in p.matrices:
                w, mask = m.tensor(model), p.masks[m.name]
                if m.layer not in p.targets:
                    continue
                self.assertTrue(torch.equal(w[~mask], torch.zeros_like(w[~mask])), f'{kind} {m.name}')
                codes, _ = fake.weight_codes(w, m.bits)
                self.assertTrue(torch.equal(codes[~mask], torch.zeros_like(codes[~mask])), f'{kind} {m.name}')
                self.assertFalse(torch.equal(w[mask], before[m.name][mask]), f'{kind} {m.name}: kept weights train')

    def test_layer_targets(self):
        targets = pruning.layer_targets(self.header, 'unit', 0.5, {'gru2': 0.25})
        self.assertEqual(targets['gru2'], 0.25)
        self.assertEqual(targets['fc1'], 0.5)
        with self.assertRaises(ValueError):
            pruning.layer_targets(self.header, 'unit', 0.5, {'exit2.mask': 0.5})  # a fixed output
        with self.assertRaises(ValueError):
            pruning.layer_targets(self.header, 'weight', 1.0)

    def test_layer_sparsities_of_an_offline_file_leave_the_presence_head_whole(self):
        shares = {'gru1': 0.98, 'presence.anc': 0.98, 'presence.out': 0.97, 'exit0.mask': 0.01}
        header = {**self.header, 'provenance': {'pruning': {'layers': shares}}}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / 'offline.thm'
            thm.write_model(str(path), header, self.floats)
            per_layer = pruning.read_layer_sparsities(path)
        self.assertEqual(per_layer, {'gru1': 0.98, 'exit0.mask': 0.01})
        self.assertEqual(pruning.layer_targets(self.header, 'weight', 0.5, per_layer)['gru1'], 0.98)


class Export(unittest.TestCase):
    def test_integer_model_equals_the_fake_quant_model(self):
        """Each kind's export (csr, block-sparse, units removed), run by the integer reference, gives the
        masks of the fake-quant model that trained, to the bit (float64)."""
        small, floats = small_file()
        shipped, _ = thm.read_model(str(ROOT / 'models/nsnet-ee-f32.thm'))  # the fields a model file needs
        outside = lambda names: [n for n in names if not n.startswith('presence.')]  # noqa: E731
        header = {**shipped, 'layers': [l for l in small['layers'] if not l['name'].startswith('presence.')],
                  'exits': [{**e, 'layers': outside(e['layers'])} for e in small['exits']]}
        bits = homogeneous_bits(header)
        scales = {'features': 0.01, 'layers': {}}
        for layer in header['layers']:
            tabled = layer['op'] == 'dense' and layer['activation'] == 'sigmoid'
            scales['layers'][layer['name']] = ({'pre': {g: 16 / 32767 for g in 'rzn'}} if layer['op'] == 'gru' else
                                               {'pre': 16 / 32767} if tabled else {'out': 0.002})
        features = (np.random.default_rng(0).standard_normal((6, 161)) * 2 - 5).astype(np.float32)
        for kind in pruning.KINDS:
            model = from_model_file(header, floats)
            p = pruning.Pruner(header, bits, kind, pruning.layer_targets(header, kind, 0.5), pruning.Schedule(0, 1, 1))
            p.recompute(model, p.targets)
            p.apply(model)
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / 'pruned.thm'
                args = SimpleNamespace(kind=kind, sparsity=0.5, name='pruned', out=out)
                export(header, floats, model, p, bits, scales, args, {'sparsity': 0.5})
                exported, _ = thm.read_model(str(out))
                masks = run_model(out, features)
            with torch.no_grad():
                gains = FakeQuantModel(copy.deepcopy(model).double(), header, bits, scales)(torch.from_numpy(features).double()[None])
            for k, (mask, gain) in enumerate(zip(masks, gains)):
                np.testing.assert_array_equal(mask, gain[0].numpy().astype(np.float32), f'{kind} exit {k}')
            dtypes = {t['dtype'] for t in exported['tensors']}
            if kind == 'unit':
                self.assertEqual(exported['layers'][1]['hidden'], 4)  # gru1: 8 units, half removed
            else:
                self.assertIn({'weight': 'csr', 'block': 'block-sparse'}[kind], dtypes)


@unittest.skipIf(FAST, '--fast')
class Runs(unittest.TestCase):
    """3-step runs on the shipped model (the data, the built CLI and a few minutes)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.quantized = cls.dir / 'w8a16.thm'
        subprocess.run(['node', 'bin/tinyhush.js', 'quantize', 'models/nsnet-ee-f32.thm', '--bits', '8', '--act-bits', '16',
                        '--out', str(cls.quantized)], cwd=ROOT, check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def train(self, kind: str, ckpt: Path, *extra) -> dict:
        cmd = [sys.executable, 'training/quant/train_pruned.py', '--kind', kind, '--sparsity', '0.5', '--steps', '3',
               '--prune-every', '1', '--quantized', str(self.quantized), '--ckpt', str(ckpt), '--batch', '2',
               '--crop-seconds', '0.5', '--valid-count', '2', '--valid-every', '100', *extra]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        return torch.load(ckpt, weights_only=False)

    def info(self, path: Path) -> str:
        done = subprocess.run(['node', 'bin/tinyhush.js', 'info', str(path)], cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_each_kind_exports_a_model_info_reads(self):
        for kind in pruning.KINDS:
            out = self.dir / f'{kind}.thm'
            ckpt = self.train(kind, self.dir / f'{kind}.pt', '--out', str(out))
            self.assertEqual(ckpt['step'], 3)
            final = ckpt['history'][-1]
            self.assertEqual(final['scheduled'], {k: 0.5 for k in final['scheduled']})
            header, _ = thm.read_model(str(out))
            self.assertEqual(header['provenance']['pruning']['kind'], kind)
            self.assertIn(header['name'], self.info(out))
            dtypes = {t['dtype'] for t in header['tensors']}
            if kind == 'unit':
                layers = {layer['name']: layer for layer in header['layers']}
                self.assertEqual((layers['gru1']['hidden'], layers['gru2']['hidden'], layers['fc1']['out']), (96, 160, 160))
                self.assertNotIn('csr', dtypes)
            else:
                self.assertIn({'weight': 'csr', 'block': 'block-sparse'}[kind], dtypes)
                self.assertAlmostEqual(final['sparsity']['all'], 0.5, delta=0.01)

    def test_resume_is_exact(self):
        straight = self.train('block', self.dir / 'straight.pt')
        self.train('block', self.dir / 'paused.pt', '--stop-at', '2')
        resumed = self.train('block', self.dir / 'paused.pt', '--resume')
        self.assertEqual(resumed['step'], 3)
        for key in ('model', 'ema'):
            for name, value in straight[key].items():
                self.assertTrue(torch.equal(value, resumed[key][name]), f'{key}.{name}')
        for name, mask in straight['pruner']['masks'].items():
            self.assertTrue(torch.equal(mask, resumed['pruner']['masks'][name]), name)
        self.assertEqual(straight['mixer_rng'], resumed['mixer_rng'])
        self.assertEqual(json.dumps(straight['history'][-1]['sisdr']), json.dumps(resumed['history'][-1]['sisdr']))


if __name__ == '__main__':
    torch.set_num_threads(1)
    unittest.main(argv=[a for a in sys.argv if a != '--fast'])
