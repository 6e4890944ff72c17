"""Training objective (recipe v2): the compressed spectral loss of Braun & Tashev ("A consolidated view of
loss functions for supervised deep learning-based speech enhancement", 2021 — the nsNet2 authors) written in
real arithmetic for a real mask, an over-suppression term that protects speech, SI-SDR, the exit-switching
term, and the speech-presence head's labels and loss."""
import numpy as np
import torch

import stft

COMPRESSION = 0.3
COMPLEX_WEIGHT = 0.3       # their alpha: share of the complex term, the rest is the magnitude term
MASK_FLOOR = 1e-4          # d(m^c)/dm is unbounded at 0: keep gradients finite
PRESENCE_DB = -20.0        # a frame holds speech if its clean power is within this of the clip's active level


class SpectralTarget:
    """The parts of the compressed spectral loss that do not depend on the mask, computed once per batch and
    shared by every exit. For a real mask m on the noisy STFT X and clean STFT S (both divided by the clean
    RMS, so loud and quiet examples weigh alike), with Xc = |X|^c X/|X| and Sc = |S|^c S/|S|:
      complex term   |m^c Xc - Sc|^2 = m^2c |X|^2c - 2 m^c Re(Xc conj Sc) + |S|^2c
      magnitude term (m^c |X|^c - |S|^c)^2, plus `over` times its part where m^c |X|^c < |S|^c
    which equals the complex-valued form of loss v1 (same value) without complex tensors in the graph."""

    def __init__(self, noisy_spec: torch.Tensor, clean_spec: torch.Tensor, c: float = COMPRESSION):
        norm = clean_spec.abs().pow(2).mean(dim=(-2, -1), keepdim=True).clamp_min(1e-10).sqrt()
        x, s = noisy_spec / norm, clean_spec / norm
        x_mag, s_mag = x.abs().clamp_min(1e-8), s.abs().clamp_min(1e-8)
        self.c = c
        self.x_c, self.s_c = x_mag.pow(c), s_mag.pow(c)
        cross = (x.real * s.real + x.imag * s.imag) / (x_mag * s_mag)      # cos of the phase difference
        self.cross = self.x_c * self.s_c * cross

    def loss(self, mask: torch.Tensor, over: float = 0.0, alpha: float = COMPLEX_WEIGHT) -> torch.Tensor:
        """Batch mean of alpha*complex + (1-alpha)*magnitude (+ over-suppression) for mask [B, T, F]."""
        m_c = mask.clamp_min(MASK_FLOOR).pow(self.c)
        est = m_c * self.x_c
        cplx = est.pow(2) - 2 * m_c * self.cross + self.s_c.pow(2)
        diff = est - self.s_c
        mag = diff.pow(2) + over * torch.relu(-diff).pow(2)
        return (alpha * cplx + (1 - alpha) * mag).mean()


def si_sdr(est: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    """Scale-invariant SDR in dB per row of [B, N] (zero-mean, as in Le Roux et al. 2019)."""
    est = est - est.mean(-1, keepdim=True)
    ref = ref - ref.mean(-1, keepdim=True)
    scale = (est * ref).sum(-1, keepdim=True) / ref.pow(2).sum(-1, keepdim=True).clamp_min(1e-10)
    target = scale * ref
    return 10 * torch.log10(target.pow(2).sum(-1).clamp_min(1e-10) / (est - target).pow(2).sum(-1).clamp_min(1e-10))


def enhancement_loss(mask: torch.Tensor, target: SpectralTarget, noisy_spec: torch.Tensor, clean: torch.Tensor,
                     sisdr_weight: float, over: float) -> torch.Tensor:
    """The objective for one exit: the spectral loss of `mask`, minus `sisdr_weight` times the SI-SDR (dB) of
    the resynthesised waveform (the SI-SDR term is what makes a few thousand CPU steps enough,
    training/README.md, "Loss")."""
    loss = target.loss(mask, over)
    if sisdr_weight > 0:
        enhanced = stft.istft_aligned(mask * noisy_spec)
        loss = loss - sisdr_weight * si_sdr(enhanced, clean[:, :enhanced.shape[1]]).mean()
    return loss


SWITCH_STRETCH_FRAMES = (10, 100)    # 0.1-1 s, the order of the policies' dwell and hold times


def switch_schedule(rng: np.random.Generator, batch: int, frames: int) -> torch.Tensor:
    """Random stretches of `SWITCH_STRETCH_FRAMES` frames, each on the deep exit or not with equal odds,
    as bool [batch, frames, 1]: the exit pattern the budget and adaptive policies produce."""
    deep = np.zeros((batch, frames), bool)
    for b in range(batch):
        t = 0
        while t < frames:
            length = int(rng.integers(*SWITCH_STRETCH_FRAMES))
            deep[b, t:t + length] = rng.random() < 0.5
            t += length
    return torch.from_numpy(deep)[..., None]


def switching_loss(masks: list, schedule: torch.Tensor, target: SpectralTarget, noisy_spec: torch.Tensor,
                   clean: torch.Tensor, sisdr_weight: float, over: float) -> torch.Tensor:
    """`enhancement_loss` of a mask that switches between exit 0 and each deeper exit by `schedule`, averaged
    over the deeper exits. The SI-SDR of a switched output drops when the exits' output levels differ (every
    switch is a level step), so this term keeps the exits level-consistent (training/README.md, "Exit switching")."""
    return torch.stack([enhancement_loss(torch.where(schedule, deep, masks[0]), target, noisy_spec, clean,
                                         sisdr_weight, over) for deep in masks[1:]]).mean()


def presence_labels(clean_spec: torch.Tensor) -> torch.Tensor:
    """1.0 for frames [B, T] whose clean power is within PRESENCE_DB of the clip's active speech level (the
    mean power of the frames within 30 dB of the loudest), else 0.0. Silent clips have no speech frames."""
    power = clean_spec.abs().pow(2).sum(-1)
    loudest = power.amax(-1, keepdim=True)
    active = power >= loudest * 1e-3
    level = (power * active).sum(-1, keepdim=True) / active.sum(-1, keepdim=True).clamp_min(1)
    return ((power >= level * 10 ** (PRESENCE_DB / 10)) & (loudest > 1e-10)).float()


def presence_loss(prob: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of the speech-presence head's probabilities [B, T] against `presence_labels`."""
    return torch.nn.functional.binary_cross_entropy(prob.clamp(1e-6, 1 - 1e-6), labels)
