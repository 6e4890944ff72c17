"""The memory layouts of the sparse integer kernels (assembly/int-sparse.ts, docs/sparsity.md), made
from and expanded back to dense integer matrices. Integer arithmetic only.

  csr:   rowPtr [rows + 1], colIdx [nnz] (column of each stored code), values [nnz]
  block: 4x4 blocks; rowPtr [ceil(rows / 4) + 1] over groups of four rows, colStart [blocks] (first
         column), values [blocks * 16] (each block row-major). Blocks sit on the 4x4 grid, except
         that a group's last, partial grid block is stored at cols - 4 with the columns of the grid
         block before it zeroed (no kernel load passes x's end); rows past the matrix hold 0.

A sparse layer is the dense layer of its expanded matrix: reference.py runs that, and `accumulate`
below, which touches stored elements only, must agree with it.
"""
import numpy as np

from .spec import I64

BLOCK_ROWS = BLOCK_COLS = 4


def to_csr(W) -> dict:
    """CSR of the non-zero codes of W [rows, cols], row-major."""
    W = np.asarray(W, dtype=I64)
    rows, cols = np.nonzero(W)
    counts = np.bincount(rows, minlength=W.shape[0])
    return dict(format='csr', rows=W.shape[0], rowPtr=np.concatenate([[0], np.cumsum(counts)]).astype(I64),
                index=cols.astype(I64), values=W[rows, cols])


def to_blocks(W) -> dict:
    """4x4 blocks of W [rows, cols] (cols >= 4): every grid block holding a non-zero code."""
    W = np.asarray(W, dtype=I64)
    n_rows, cols = W.shape
    if cols < BLOCK_COLS:
        raise ValueError(f'a {BLOCK_ROWS}x{BLOCK_COLS} block layout needs at least {BLOCK_COLS} columns, got {cols}')
    padded = np.zeros((-(-n_rows // BLOCK_ROWS) * BLOCK_ROWS, cols), dtype=I64)
    padded[:n_rows] = W
    row_ptr, starts, values = [0], [], []
    for top in range(0, len(padded), BLOCK_ROWS):
        group = padded[top:top + BLOCK_ROWS]
        for grid in range(0, cols, BLOCK_COLS):
            if not group[:, grid:grid + BLOCK_COLS].any():
                continue
            start = min(grid, cols - BLOCK_COLS)
            codes = group[:, start:start + BLOCK_COLS].copy()
            codes[:, :grid - start] = 0  # columns that the grid block before owns
            starts.append(start)
            values.append(codes.ravel())
        row_ptr.append(len(starts))
    return dict(format='block', rows=n_rows, rowPtr=np.array(row_ptr, dtype=I64), index=np.array(starts, dtype=I64),
                values=np.concatenate(values) if values else np.zeros(0, dtype=I64))


def elements(layout: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, code) of every element the kernel multiplies inside the matrix (zeros of
    stored blocks included)."""
    counts = np.diff(layout['rowPtr'])
    owner = np.repeat(np.arange(len(counts)), counts)
    if layout['format'] == 'csr':
        return owner, layout['index'], layout['values']
    i, j = np.divmod(np.arange(BLOCK_ROWS * BLOCK_COLS), BLOCK_COLS)
    rows = (owner[:, None] * BLOCK_ROWS + i).ravel()
    cols = (layout['index'][:, None] + j).ravel()
    inside = rows < layout['rows']
    return rows[inside], cols[inside], layout['values'][inside]


def expand(layout: dict, cols: int) -> np.ndarray:
    """The dense [rows, cols] codes of a layout."""
    rows, col, codes = elements(layout)
    W = np.zeros((layout['rows'], cols), dtype=I64)
    np.add.at(W, (rows, col), codes)
    return W


def accumulate(layout: dict, x, bias) -> np.ndarray:
    """bias + W x over the stored elements only (int64; the layer's overflow check keeps it in int32)."""
    rows, col, codes = elements(layout)
    acc = np.array(bias, dtype=I64)
    np.add.at(acc, rows, codes * np.asarray(x, dtype=I64)[col])
    return acc
