"""Learned pruning (issue 15, item 3): masks over the weight matrices of a float model's dense and gru
layers (a GRU's six gate matrices separately, as export_int.py stores them), recomputed on the gradual
schedule of Zhu & Gupta (2017) from the fake-quantized weights, for three kinds:

  weight  single weights, smallest |fake-quantized weight| first, per matrix;
  block   4x4 blocks on the grid from row and column 0 of each matrix (a partial block at the right
          or bottom edge is a block too), smallest L1 norm first;
  unit    GRU hidden units / dense neurons, smallest L2 norm of their rows first (a GRU unit's rows
          in all six matrices); a removed unit's rows AND its column in every matrix reading it (its
          consumers' input matrices, a GRU's own recurrent matrices) are masked, so the unit
          contributes nothing and export drops it (`remove_units`). Exit and speech-presence outputs
          are never units to remove.

Masks are recomputed from scratch at every update from the current weights; pruned weights are zero,
so they stay pruned (the schedule only rises). `apply` zeroes masked weights in place and `mask_grads`
their gradients: call both around every optimizer step, so the forward pass reads exact zeros and a
masked weight has code 0 at any scale.
"""
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import fake
from .convert import GATES_HH, GATES_IH

KINDS = ('weight', 'block', 'unit')
BLOCK = 4


# ---- schedule ----

@dataclass(frozen=True)
class Schedule:
    """s_t = s_f + (s_i - s_f) (1 - (t - t0) / (n dt))^3, updated every dt steps from t0 for n updates
    (Zhu & Gupta 2017); s_i before t0, s_f from t0 + n dt on."""
    start: int
    every: int
    updates: int
    initial: float = 0.0

    def __post_init__(self):
        if self.start < 0 or self.every < 1 or self.updates < 1 or not 0 <= self.initial < 1:
            raise ValueError(f'schedule needs start >= 0, every >= 1, updates >= 1, 0 <= initial < 1: {self}')

    @property
    def end(self) -> int:
        return self.start + self.updates * self.every

    def is_update(self, step: int) -> bool:
        """Whether the masks are recomputed at `step` (t0, t0 + dt, ..., t0 + n dt)."""
        return self.start <= step <= self.end and (step - self.start) % self.every == 0

    def sparsity(self, step: int, final: float) -> float:
        """The scheduled sparsity at `step` for a final sparsity `final` (held between updates)."""
        if step < self.start:
            return self.initial
        last = self.start + min(self.updates, (step - self.start) // self.every) * self.every
        progress = (last - self.start) / (self.updates * self.every)
        return final + (self.initial - final) * (1.0 - progress) ** 3


def for_run(steps: int, every: int, start_share: float = 0.0, end_share: float = 0.75) -> Schedule:
    """A schedule over a run of `steps`: pruning from start_share to end_share of the steps, then
    fine-tuning at the final sparsity."""
    start = int(start_share * steps)
    every = max(1, min(every, max(1, int(end_share * steps) - start)))
    return Schedule(start=start, every=every, updates=max(1, (int(end_share * steps) - start) // every))


# ---- the matrices of a model file ----

@dataclass(frozen=True)
class Matrix:
    """One weight matrix: rows `rows` of parameter `param` (a module path) of layer `layer`; `recurrent`
    for a GRU's hidden-to-hidden matrices (their columns are the layer's own units)."""
    name: str
    layer: str
    param: str
    rows: slice
    bits: int
    recurrent: bool = False

    def tensor(self, model: torch.nn.Module) -> torch.Tensor:
        return model.get_parameter(self.param)[self.rows]


def matrices(header: dict, bits: dict) -> list:
    """Every weight matrix of the dense and gru layers of a float model file's header, in layer order;
    a GRU's as <layer>.ir, .iz, .in, .hr, .hz, .hn."""
    out = []
    for layer in header['layers']:
        name, b = layer['name'], bits['layers'][layer['name']]
        if layer['op'] == 'dense':
            out.append(Matrix(name, name, f'{name}.weight', slice(None), b['w']))
        elif layer['op'] == 'gru':
            h = layer['hidden']
            for k, (gi, gh) in enumerate(zip(GATES_IH, GATES_HH)):
                rows = slice(k * h, (k + 1) * h)
                out.append(Matrix(f'{name}.{gi}', name, f'{name}.weight_ih_l0', rows, b[gi]))
                out.append(Matrix(f'{name}.{gh}', name, f'{name}.weight_hh_l0', rows, b[gh], recurrent=True))
        else:
            raise ValueError(f'layer {name}: op {layer["op"]!r} cannot be pruned (dense and gru only)')
    return out


def fixed_outputs(header: dict) -> set:
    """Layers whose outputs the format fixes (exit masks, the speech-presence output): never units to remove."""
    presence = header.get('speechPresence')
    return {e['output'] for e in header['exits']} | ({presence['output']} if presence else set())


def mask_path(header: dict, output: str) -> set:
    """The layers an exit's mask is computed from: `output` and its inputs back to the features."""
    inputs = {layer['name']: layer['input'] for layer in header['layers']}
    path = set()
    while output in inputs:
        path.add(output)
        output = inputs[output]
    return path


def prunable_layers(header: dict, kind: str) -> list:
    """The layers `kind` prunes: every layer an exit runs (the ones the exit losses train; a speech-presence
    head is not trained here, so it is left whole, but for the columns of units it reads); for units, all
    but the fixed outputs."""
    trained = set().union(*(mask_path(header, e['output']) for e in header['exits']))
    skip = fixed_outputs(header) if kind == 'unit' else set()
    return [layer['name'] for layer in header['layers'] if layer['name'] in trained and layer['name'] not in skip]


def layer_targets(header: dict, kind: str, sparsity: float, per_layer: dict | None = None) -> dict:
    """Final sparsity of every prunable layer: `sparsity` everywhere (uniform), or `per_layer`'s where it
    names the layer."""
    if not 0 <= sparsity < 1:
        raise ValueError(f'sparsity must be in [0, 1), got {sparsity}')
    layers = prunable_layers(header, kind)
    per_layer = per_layer or {}
    unknown = set(per_layer) - set(layers)
    if unknown:
        raise ValueError(f'per-layer sparsities name layers that {kind} pruning does not prune: {sorted(unknown)}')
    bad = {k: v for k, v in per_layer.items() if not 0 <= float(v) < 1}
    if bad:
        raise ValueError(f'per-layer sparsities must be in [0, 1): {bad}')
    return {name: float(per_layer.get(name, sparsity)) for name in layers}


def read_layer_sparsities(path: Path) -> dict:
    """{layer: sparsity} from a JSON file holding exactly that, or from a model file pruned by
    `tinyhush prune` (its provenance.pruning.layers: the shares its sensitivity allocation chose, less a
    speech-presence head's, which learned runs leave whole)."""
    if path.suffix == '.thm':
        import thm  # the caller has training/ on sys.path, as every script here does
        header, _ = thm.read_model(str(path))
        exit_paths = set().union(*(mask_path(header, e['output']) for e in header['exits']))
        return {k: v for k, v in header['provenance']['pruning']['layers'].items() if k in exit_paths}
    return {k: float(v) for k, v in json.loads(path.read_text()).items()}


# ---- masks ----

def quantized_magnitude(w: torch.Tensor, bits: int) -> torch.Tensor:
    """|fake-quantized weight|: |code| times its row's scale (fake.weight_codes)."""
    codes, scale = fake.weight_codes(w.detach(), bits)
    return (codes * scale[:, None]).abs()


def smallest(scores: torch.Tensor, count: int) -> torch.Tensor:
    """Bool mask over `scores` (any shape) of its `count` smallest entries (ties: lower index first)."""
    flat = scores.flatten()
    drop = torch.zeros_like(flat, dtype=torch.bool)
    drop[torch.argsort(flat, stable=True)[:count]] = True
    return drop.view_as(scores)


def block_scores(magnitude: torch.Tensor) -> torch.Tensor:
    """L1 norm of every 4x4 grid block [ceil(rows/4), ceil(cols/4)] (partial edge blocks included)."""
    rows, cols = magnitude.shape
    padded = magnitude.new_zeros(-(-rows // BLOCK) * BLOCK, -(-cols // BLOCK) * BLOCK)
    padded[:rows, :cols] = magnitude
    return padded.view(padded.shape[0] // BLOCK, BLOCK, -1, BLOCK).sum(dim=(1, 3))


def expand_blocks(blocks: torch.Tensor, shape) -> torch.Tensor:
    """A per-block mask back to a [rows, cols] mask."""
    return blocks.repeat_interleave(BLOCK, 0).repeat_interleave(BLOCK, 1)[:shape[0], :shape[1]]


class Pruner:
    """Masks of every matrix of a model file's dense and gru layers for one kind and per-layer final
    sparsities, on a schedule. `masks[name]`: bool, True where a weight is kept."""

    def __init__(self, header: dict, bits: dict, kind: str, targets: dict, schedule: Schedule):
        if kind not in KINDS:
            raise ValueError(f'kind must be one of {KINDS}, got {kind!r}')
        self.kind, self.targets, self.schedule = kind, dict(targets), schedule
        self.layers = {layer['name']: layer for layer in header['layers']}
        self.matrices = matrices(header, bits)
        self.masks = {m.name: None for m in self.matrices}
        self.step_sparsity = {name: 0.0 for name in targets}

    def _of_layer(self, layer: str) -> list:
        return [m for m in self.matrices if m.layer == layer]

    def units(self, layer: str) -> int:
        spec = self.layers[layer]
        return spec['hidden'] if spec['op'] == 'gru' else spec['out']

    def consumers(self, layer: str) -> list:
        """Matrices reading `layer`'s output as columns: its readers' input matrices, a GRU's recurrent ones."""
        readers = [m for m in self.matrices if self.layers[m.layer]['input'] == layer and not m.recurrent]
        return readers + [m for m in self._of_layer(layer) if m.recurrent]

    def update(self, model: torch.nn.Module, step: int) -> bool:
        """At an update step of the schedule: recompute the masks at its sparsities and apply them."""
        if not self.schedule.is_update(step):
            return False
        self.step_sparsity = {name: self.schedule.sparsity(step, s) for name, s in self.targets.items()}
        self.recompute(model, self.step_sparsity)
        self.apply(model)
        return True

    @torch.no_grad()
    def recompute(self, model: torch.nn.Module, sparsity: dict) -> None:
        """Masks at `sparsity` ({layer: share of its items}) from the current weights of `model`."""
        masks = {m.name: torch.ones_like(m.tensor(model), dtype=torch.bool) for m in self.matrices}
        if self.kind == 'unit':
            for layer, share in sparsity.items():
                removed = self.removed_by_norm(model, layer, share)
                for m in self._of_layer(layer):
                    masks[m.name][removed] = False
                for m in self.consumers(layer):
                    masks[m.name][:, removed] = False
        else:
            for m in self.matrices:
                share = sparsity.get(m.layer, 0.0)
                magnitude = quantized_magnitude(m.tensor(model), m.bits)
                if self.kind == 'weight':
                    masks[m.name] = ~smallest(magnitude, round(share * magnitude.numel()))
                else:
                    scores = block_scores(magnitude)
                    masks[m.name] = ~expand_blocks(smallest(scores, round(share * scores.numel())), magnitude.shape)
        self.masks = masks

    def removed_by_norm(self, model: torch.nn.Module, layer: str, share: float) -> torch.Tensor:
        """The units of `layer` with the smallest L2 norm of their fake-quantized rows (at most all but one)."""
        squares = sum(quantized_magnitude(m.tensor(model), m.bits).pow(2).sum(dim=1) for m in self._of_layer(layer))
        count = min(self.units(layer) - 1, round(share * self.units(layer)))
        return smallest(squares, count)

    @torch.no_grad()
    def apply(self, model: torch.nn.Module) -> None:
        """Zeroes every masked weight of `model` (the training model after each step, or its average)."""
        for m in self.matrices:
            if self.masks[m.name] is not None:
                m.tensor(model).mul_(self.masks[m.name].to(m.tensor(model).dtype))

    def mask_grads(self, model: torch.nn.Module) -> None:
        """Zeroes the gradients of masked weights (before clipping, so they do not count in the norm)."""
        for m in self.matrices:
            param = model.get_parameter(m.param)
            if self.masks[m.name] is not None and param.grad is not None:
                param.grad[m.rows].mul_(self.masks[m.name].to(param.grad.dtype))

    def removed_units(self) -> dict:
        """{layer: sorted indices} of the units whose rows are masked in every matrix of their layer."""
        out = {}
        for layer in self.targets:
            rows = [~self.masks[m.name].any(dim=1) for m in self._of_layer(layer) if self.masks[m.name] is not None]
            if rows:
                dead = torch.stack(rows).all(dim=0)
                out[layer] = [int(i) for i in torch.nonzero(dead).flatten()]
        return out

    def state_dict(self) -> dict:
        return {'masks': {k: (None if v is None else v.cpu()) for k, v in self.masks.items()},
                'step_sparsity': dict(self.step_sparsity)}

    def load_state_dict(self, state: dict, device='cpu') -> None:
        self.masks = {k: (None if v is None else v.to(device)) for k, v in state['masks'].items()}
        self.step_sparsity = dict(state['step_sparsity'])


@torch.no_grad()
def measured_sparsity(model: torch.nn.Module, pruner: Pruner) -> dict:
    """Share of exact-zero weights per layer (all its matrices together) and over all of them, as
    {'layers': {name: share}, 'all': share}; for units also {'units': {layer: removed}}."""
    zeros, totals = {}, {}
    for m in pruner.matrices:
        w = m.tensor(model)
        zeros[m.layer] = zeros.get(m.layer, 0) + int((w == 0).sum())
        totals[m.layer] = totals.get(m.layer, 0) + w.numel()
    out = {'layers': {k: round(zeros[k] / totals[k], 4) for k in totals}, 'all': sum(zeros.values()) / sum(totals.values())}
    if pruner.kind == 'unit':
        out['units'] = {k: len(v) for k, v in pruner.removed_units().items()}
    return out


# ---- unit removal for export ----

def _drop(array: np.ndarray, indices: list, axis: int) -> np.ndarray:
    return np.delete(np.asarray(array), indices, axis=axis) if indices else np.asarray(array)


def remove_units(header: dict, floats: dict, removed: dict) -> tuple[dict, dict]:
    """A float model file (header, tensors) with the units `removed` ({layer: indices}) taken out: a dense
    layer's rows and bias entries, a GRU's rows in every gate, bias entries and recurrent columns, and
    the columns of every layer reading it; `in` / `out` / `hidden` resized. The columns removed must be
    zero (masked) for the smaller model to compute what the larger one did."""
    floats = dict(floats)
    layers = []
    for layer in header['layers']:
        layer = dict(layer)
        gone = removed.get(layer['name'], [])
        gone_in = removed.get(layer['input'], [])
        if layer['op'] == 'dense':
            floats[layer['weight']] = _drop(_drop(floats[layer['weight']], gone, 0), gone_in, 1)
            floats[layer['bias']] = _drop(floats[layer['bias']], gone, 0)
            layer['out'] -= len(gone)
        else:
            h = layer['hidden']
            gate_rows = [k * h + i for k in range(3) for i in gone]
            floats[layer['weightIh']] = _drop(_drop(floats[layer['weightIh']], gate_rows, 0), gone_in, 1)
            floats[layer['weightHh']] = _drop(_drop(floats[layer['weightHh']], gate_rows, 0), gone, 1)
            for key in ('biasIh', 'biasHh'):
                floats[layer[key]] = _drop(floats[layer[key]], gate_rows, 0)
            layer['hidden'] -= len(gone)
        layer['in'] -= len(gone_in)
        layers.append(layer)
    return {**header, 'layers': layers}, floats


def schedule_summary(schedule: Schedule) -> str:
    return (f'gradual (Zhu & Gupta 2017): from step {schedule.start}, every {schedule.every} steps, '
            f'{schedule.updates} updates, to step {schedule.end}')

