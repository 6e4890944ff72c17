"""Reference semantics of the proposed gate decisions (docs/model-format.md, "Gate decisions (proposed)"),
on top of reference.Interpreter, frame by frame as the engine must run them:

- a dense layer with `ratioWeight` uses the bias `bias + ratio * ratioWeight` (ratio: the run-time gate ratio);
- a gate with `decision` switches channel c of its block on in a frame iff the decision layer's output c is > 0
  in that frame; the decision layer runs before the block's expand layer.

`forced` (per frame, one 0/1 vector per gate) replaces the decisions, so an exporter can compare the file with
the training model under identical decisions and count separately where the two disagree.
"""
import numpy as np
import torch

import reference


class GatedInterpreter(reference.Interpreter):
    def __init__(self, header: dict, tensors: dict, ratio: float):
        super().__init__(header, tensors)
        self.ratio = ratio
        self.gates = header.get('gates', [])
        self.decision_of = {g['decision']: k for k, g in enumerate(self.gates) if 'decision' in g}
        self.decisions = [None] * len(self.gates)
        self.logits = [None] * len(self.gates)

    def step_gated(self, features: torch.Tensor, forced=None) -> torch.Tensor:
        """One frame of exit 0 (the model's one exit); records this frame's logits and decisions per gate."""
        exit_ = self.header['exits'][0]
        wanted = set(exit_['layers'])
        out = {'features': features}
        self.masks = {}
        for layer in self.layers:
            if layer['name'] not in wanted:
                continue
            out[layer['name']] = self._run(layer, out)
            k = self.decision_of.get(layer['name'])
            if k is not None:
                self.logits[k] = out[layer['name']]
                on = out[layer['name']] > 0 if forced is None else torch.as_tensor(np.asarray(forced[k]) != 0)
                self.decisions[k] = on
                gate = self.gates[k]
                self.masks[gate['expand']] = ('rows', on)
                self.masks[gate['depthwise']] = ('channels', on)
                self.masks[gate['project']] = ('cols', on)
        return out[exit_['output']]

    def _dense(self, layer: dict, x: torch.Tensor) -> torch.Tensor:
        if 'ratioWeight' not in layer:
            return super()._dense(layer, x)
        shifted = dict(layer, bias=layer['bias'] + '#ratio')
        self.w[shifted['bias']] = self.w[layer['bias']] + self.ratio * self.w[layer['ratioWeight']]
        return super()._dense(shifted, x)


def frame_macs(header: dict, decisions: list) -> int:
    """MACs of one frame with these per-gate decisions (the gate layers themselves always run)."""
    return reference.macs_per_frame(header, 0, [d.numpy().astype(np.uint8) for d in decisions])
