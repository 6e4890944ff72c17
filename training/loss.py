"""Compressed spectral loss (Braun & Tashev, "A consolidated view of loss functions for supervised
deep learning-based speech enhancement", 2021 — the nsNet2 authors), SI-SDR, and the exit-switching term."""
import numpy as np
import torch

import stft

COMPRESSION = 0.3
COMPLEX_WEIGHT = 0.3       # their alpha: share of the complex term, the rest is the magnitude term


def compressed_spectral_loss(est: torch.Tensor, ref: torch.Tensor, c: float = COMPRESSION,
                             alpha: float = COMPLEX_WEIGHT) -> torch.Tensor:
    """est, ref: complex STFTs [B, T, F]. Each mixture is normalised by its clean power so loud and quiet
    examples weigh alike. Returns the batch mean of alpha*complex + (1-alpha)*magnitude MSE."""
    norm = ref.abs().pow(2).mean(dim=(-2, -1), keepdim=True).clamp_min(1e-10).sqrt()
    est, ref = est / norm, ref / norm
    est_mag = est.abs().clamp_min(1e-8)                 # phase of a zero bin is undefined: keep grads finite
    ref_mag = ref.abs().clamp_min(1e-8)
    est_c, ref_c = est_mag.pow(c), ref_mag.pow(c)
    mag = (est_c - ref_c).pow(2).mean(dim=(-2, -1))
    cplx = (est_c * est / est_mag - ref_c * ref / ref_mag).abs().pow(2).mean(dim=(-2, -1))
    return (alpha * cplx + (1 - alpha) * mag).mean()


def si_sdr(est: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    """Scale-invariant SDR in dB per row of [B, N] (zero-mean, as in Le Roux et al. 2019)."""
    est = est - est.mean(-1, keepdim=True)
    ref = ref - ref.mean(-1, keepdim=True)
    scale = (est * ref).sum(-1, keepdim=True) / ref.pow(2).sum(-1, keepdim=True).clamp_min(1e-10)
    target = scale * ref
    return 10 * torch.log10(target.pow(2).sum(-1).clamp_min(1e-10) / (est - target).pow(2).sum(-1).clamp_min(1e-10))


def enhancement_loss(mask: torch.Tensor, noisy_spec: torch.Tensor, clean_spec: torch.Tensor, clean: torch.Tensor,
                     sisdr_weight: float) -> torch.Tensor:
    """The training objective for one exit: compressed spectral loss on mask * noisy, minus
    `sisdr_weight` times the SI-SDR (dB) of the resynthesised waveform. The SI-SDR term is what
    makes a few thousand CPU steps enough (training/README.md, "Loss"); 0 gives the plain nsNet2 loss."""
    est = mask * noisy_spec
    loss = compressed_spectral_loss(est, clean_spec)
    if sisdr_weight > 0:
        enhanced = stft.istft_aligned(est)
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


def switching_loss(masks: list, schedule: torch.Tensor, noisy_spec: torch.Tensor, clean_spec: torch.Tensor,
                   clean: torch.Tensor, sisdr_weight: float) -> torch.Tensor:
    """`enhancement_loss` of a mask that switches between exit 0 and each deeper exit by `schedule`, averaged
    over the deeper exits. The SI-SDR of a switched output drops when the exits' output levels differ (every
    switch is a level step), so this term keeps the exits level-consistent (training/README.md, "Exit switching")."""
    return torch.stack([enhancement_loss(torch.where(schedule, deep, masks[0]), noisy_spec, clean_spec, clean,
                                         sisdr_weight) for deep in masks[1:]]).mean()
