"""Integer inference (docs/integer.md): the fixed-point rules (spec), the bit-exact integer reference
(reference), fake quantization for quantization-aware training (fake) and the golden vectors the WASM
kernels are tested against (make_int_golden)."""
