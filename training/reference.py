"""PyTorch reference interpreter of a tinyhush model file (docs/model-format.md).

It runs the header's layers one frame at a time, exactly as the engine must: only the layers of
the chosen exit run, the others keep their state ("skippedState": "hold"). It is the source of the
golden vectors the WASM engine is tested against and the check of the exporter, so it favours
plain, literal maths over speed.

Gating (conv-mask): a gate mask switches expanded channels of a residual block off. A skipped
channel's expand output, depthwise output and project contribution are zero; its (zero) input still
enters the depthwise history, as in assembly/dwconv.ts and in training, where the gate zeroes the
expand output of that frame.

MACs count multiply-accumulates of the weights only: dense in·out, gru 3·hidden·(in + hidden),
dwconv channels·kernel, add 0. Features, STFT and activations are not counted.
"""
import numpy as np
import torch

import stft

ACTIVATIONS = {
    'none': lambda v: v,
    'relu': torch.relu,
    'sigmoid': torch.sigmoid,
    'tanh': torch.tanh,
}


def _activation(name: str):
    if name not in ACTIVATIONS:
        raise ValueError(f'unknown activation {name!r}; supported: {", ".join(ACTIVATIONS)}')
    return ACTIVATIONS[name]


def _exit(header: dict, exit_index: int) -> dict:
    exits = header['exits']
    if not 0 <= exit_index < len(exits):
        raise ValueError(f'exit {exit_index} does not exist; the model has exits 0..{len(exits) - 1}')
    return exits[exit_index]


def _channel_masks(header: dict, gate_masks) -> dict:
    """Per-layer channel masks from one 0/1 vector per gate: (expand rows, dwconv channels, project columns)."""
    if gate_masks is None:
        return {}
    gates = header.get('gates', [])
    if len(gate_masks) != len(gates):
        raise ValueError(f'{len(gate_masks)} gate masks given; the model has {len(gates)} gates')
    by_layer = {}
    for gate, mask in zip(gates, gate_masks):
        on = torch.as_tensor(np.asarray(mask) != 0)
        if on.shape != (gate['channels'],):
            raise ValueError(f'gate {gate["name"]} mask has shape {tuple(on.shape)}; expected ({gate["channels"]},)')
        by_layer[gate['expand']] = ('rows', on)
        by_layer[gate['depthwise']] = ('channels', on)
        by_layer[gate['project']] = ('cols', on)
    return by_layer


class Interpreter:
    """Per-stream state plus one `step` per frame. Build a fresh one for each stream."""

    def __init__(self, header: dict, tensors: dict, gate_masks=None):
        self.layers = header['layers']
        self.header = header
        self.w = {k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in tensors.items()}
        self.masks = _channel_masks(header, gate_masks)
        self.state = {}
        for layer in self.layers:
            if layer['op'] == 'gru':
                self.state[layer['name']] = torch.zeros(layer['hidden'])
            elif layer['op'] == 'dwconv':
                self.state[layer['name']] = torch.zeros((layer['kernel'] - 1) * layer['dilation'], layer['channels'])

    def step(self, features: torch.Tensor, exit_index: int) -> torch.Tensor:
        """features [bins] float32 → the chosen exit's mask [bins]."""
        exit_ = _exit(self.header, exit_index)
        wanted = set(exit_['layers'])
        out = {'features': features}
        for layer in self.layers:
            if layer['name'] in wanted:
                out[layer['name']] = self._run(layer, out)
        return out[exit_['output']]

    def _input(self, out: dict, name: str) -> torch.Tensor:
        if name not in out:
            raise ValueError(f'layer input {name!r} did not run in this exit; list it in the exit\'s layers')
        return out[name]

    def _run(self, layer: dict, out: dict) -> torch.Tensor:
        op, name = layer['op'], layer['name']
        if op == 'dense':
            return self._dense(layer, self._input(out, layer['input']))
        if op == 'gru':
            h = self._gru(layer, self._input(out, layer['input']), self.state[name])
            self.state[name] = h
            return h
        if op == 'dwconv':
            return self._dwconv(layer, self._input(out, layer['input']))
        if op == 'add':
            a, b = (self._input(out, n) for n in layer['inputs'])
            return _activation(layer['activation'])(a + b)
        raise ValueError(f'layer {name}: unknown op {op!r}; supported: dense, gru, dwconv, add')

    def _dense(self, layer: dict, x: torch.Tensor) -> torch.Tensor:
        w, b = self.w[layer['weight']], self.w[layer['bias']]
        kind, on = self.masks.get(layer['name'], (None, None))
        if kind == 'cols':                      # skipped input channels are never read
            w, x = w[:, on], x[on]
        y = _activation(layer['activation'])(w @ x + b)
        if kind == 'rows':                      # skipped output channels are not computed: zero
            y = torch.where(on, y, torch.zeros_like(y))
        return y

    def _gru(self, layer: dict, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One torch.nn.GRU step, gates r, z, n."""
        gi = self.w[layer['weightIh']] @ x + self.w[layer['biasIh']]
        gh = self.w[layer['weightHh']] @ h + self.w[layer['biasHh']]
        ir, iz, in_ = gi.chunk(3)
        hr, hz, hn = gh.chunk(3)
        r = torch.sigmoid(ir + hr)
        z = torch.sigmoid(iz + hz)
        n = torch.tanh(in_ + r * hn)
        return (1 - z) * n + z * h

    def _dwconv(self, layer: dict, x: torch.Tensor) -> torch.Tensor:
        """Causal dilated depthwise conv; history rows are the past inputs, oldest first."""
        k, d = layer['kernel'], layer['dilation']
        w, b = self.w[layer['weight']], self.w[layer['bias']]
        hist = self.state[layer['name']]
        full = torch.cat([hist, x[None]])                  # [(k-1)d + 1, channels], x last
        taps = full[::d]                                   # x_{t-(k-1-j)d} for j = 0..k-1
        y = _activation(layer['activation'])(b + (w * taps.T).sum(1))
        self.state[layer['name']] = full[1:]
        _, on = self.masks.get(layer['name'], (None, None))
        return y if on is None else torch.where(on, y, torch.zeros_like(y))


def features(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """waveform [samples] (a multiple of the hop) → (complex spectrum [frames, bins], log-power features)."""
    if x.shape[-1] % stft.HOP:
        raise ValueError(f'{x.shape[-1]} samples is not a multiple of the hop ({stft.HOP})')
    spec = stft.stft(x.to(torch.float32))
    return spec, stft.log_power(spec)


@torch.no_grad()
def enhance(header: dict, tensors: dict, x, exit_index: int, gate_masks=None) -> tuple[np.ndarray, np.ndarray]:
    """Run a whole waveform through one exit. Returns masks [frames, bins] and the enhanced
    waveform (same length, delayed by win − hop samples like the stream), both float32."""
    spec, feats = features(torch.as_tensor(np.asarray(x, dtype=np.float32)))
    net = Interpreter(header, tensors, gate_masks)
    masks = torch.stack([net.step(f, exit_index) for f in feats])
    enhanced = stft.istft(spec * masks)
    return masks.numpy(), enhanced.numpy()


def _layer_macs(layer: dict) -> int:
    op = layer['op']
    if op == 'dense':
        return layer['in'] * layer['out']
    if op == 'gru':
        return 3 * layer['hidden'] * (layer['in'] + layer['hidden'])
    if op == 'dwconv':
        return layer['channels'] * layer['kernel']
    return 0


def macs_per_frame(header: dict, exit_index: int, gate_masks=None) -> int:
    """MACs one frame costs at this exit; with gate masks, only the channels that run count."""
    wanted = set(_exit(header, exit_index)['layers'])
    masks = _channel_masks(header, gate_masks)
    total = 0
    for layer in header['layers']:
        if layer['name'] not in wanted:
            continue
        kind, on = masks.get(layer['name'], (None, None))
        active = int(on.sum()) if on is not None else None
        if kind == 'rows':
            total += active * layer['in']
        elif kind == 'cols':
            total += layer['out'] * active
        elif kind == 'channels':
            total += active * layer['kernel']
        else:
            total += _layer_macs(layer)
    return total
