"""The torch fallback: numerical Lie traces and ranks of the same fields on real sizes, device-agnostic (CUDA
when present, CPU otherwise).  Every count here rests on floating-point ranks and says so."""
