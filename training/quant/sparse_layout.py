"""The memory layouts of the sparse integer kernels (assembly/int-sparse.ts, docs/sparsity.md), made
from and expanded back to dense integer matrices. Integer arithmetic only.

  csr:   rowPtr [rows + 1], colIdx [nnz] (column of each stored code), values [nnz]
  block: rowPtr [rows + 1] over blocks, colStart [blocks] (first column), values [blocks * 16];
         blocks sit on the 16-column grid, except that a row's last, partial grid block is stored at
         cols - 16 with the columns of the grid block before it zeroed (no kernel load passes x's end).

A sparse layer is the dense layer of its expanded matrix: reference.py runs that, and `accumulate`
below, which touches stored elements only, must agree with it.
"""
import numpy as np

from .spec import I64

BLOCK = 16


def to_csr(W) -> dict:
    """CSR of the non-zero codes of W [rows, cols], row-major."""
    W = np.asarray(W, dtype=I64)
    rows, cols = np.nonzero(W)
    counts = np.bincount(rows, minlength=W.shape[0])
    return dict(format='csr', rowPtr=np.concatenate([[0], np.cumsum(counts)]).astype(I64),
                index=cols.astype(I64), values=W[rows, cols])


def to_blocks(W, block: int = BLOCK) -> dict:
    """1 x `block` blocks of W [rows, cols] (cols >= block): every grid block holding a non-zero code."""
    W = np.asarray(W, dtype=I64)
    n_rows, cols = W.shape
    if cols < block:
        raise ValueError(f'a 1x{block} block layout needs at least {block} columns, got {cols}')
    row_ptr, starts, values = [0], [], []
    for r in range(n_rows):
        for grid in range(0, cols, block):
            if not W[r, grid:grid + block].any():
                continue
            start = min(grid, cols - block)
            codes = W[r, start:start + block].copy()
            codes[:grid - start] = 0  # columns that the grid block before owns
            starts.append(start)
            values.append(codes)
        row_ptr.append(len(starts))
    return dict(format='block', rowPtr=np.array(row_ptr, dtype=I64), index=np.array(starts, dtype=I64),
                values=np.concatenate(values) if values else np.zeros(0, dtype=I64))


def elements(layout: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, code) of every element the kernel multiplies, zeros inside blocks included."""
    counts = np.diff(layout['rowPtr'])
    rows = np.repeat(np.arange(len(counts)), counts)
    if layout['format'] == 'csr':
        return rows, layout['index'], layout['values']
    offsets = np.arange(BLOCK)
    return (np.repeat(rows, BLOCK), (layout['index'][:, None] + offsets).ravel(), layout['values'])


def expand(layout: dict, cols: int) -> np.ndarray:
    """The dense [rows, cols] codes of a layout."""
    rows, col, codes = elements(layout)
    W = np.zeros((len(layout['rowPtr']) - 1, cols), dtype=I64)
    np.add.at(W, (rows, col), codes)
    return W


def accumulate(layout: dict, x, bias) -> np.ndarray:
    """bias + W x over the stored elements only (int64; the layer's overflow check keeps it in int32)."""
    rows, col, codes = elements(layout)
    acc = np.array(bias, dtype=I64)
    np.add.at(acc, rows, codes * np.asarray(x, dtype=I64)[col])
    return acc
