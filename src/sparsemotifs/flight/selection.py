"""Which integrator a kernel runs, and its calibrated tolerance (used by flight.integrate)."""

from __future__ import annotations

# compiled Rosenbrock (flight.rosenbrock), compiled extrapolation (flight.kernel), batched numpy
KERNELS = ("rodas", "numba", "numpy")
DEFAULT_RTOL = 1e-9  # extrapolation, order 11: worst 1e-7 over 1400 random trajectories
# Worst errors over 1600 random trajectories against Radau (criterion 1e-6): extrapolation at
# 1e-9 1.2e-7, Rodas5P at 5e-9 1.2e-7 (matched), RODAS4 at 5e-8 1.8e-7.
RODAS_RTOL = {"rodas5p": 5e-9, "rodas4": 5e-8}
# Run by the "rodas" kernel only; the first is its default.
ROSENBROCK_METHODS = ("rodas5p", "rodas4")


def default_rtol(kernel: str, method: str | None = None) -> float:
    """The local tolerance calibrated for a kernel (and method) against the 1e-6 criterion."""
    if method in RODAS_RTOL:
        return RODAS_RTOL[method]
    if kernel == "rodas" and method is None:
        return RODAS_RTOL[ROSENBROCK_METHODS[0]]
    return DEFAULT_RTOL


def resolve_method(kernel, method, rtol, order):
    """(method, rtol) with the kernel's defaults filled in; ValueError for bad combinations."""
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; use one of {', '.join(KERNELS)}")
    if method is None:
        method = ROSENBROCK_METHODS[0] if kernel == "rodas" else "extrapolation"
    if rtol is None:
        rtol = default_rtol(kernel, method)
    if method not in (*ROSENBROCK_METHODS, "extrapolation", "ros34pw2"):
        raise ValueError(
            f"unknown method {method!r}; use {', '.join(ROSENBROCK_METHODS)}, 'extrapolation' "
            "or 'ros34pw2'"
        )
    if method in ROSENBROCK_METHODS and kernel != "rodas":
        raise ValueError(f"method {method!r} runs only in the 'rodas' kernel, not {kernel!r}")
    if kernel == "rodas" and method not in (*ROSENBROCK_METHODS, "ros34pw2"):
        raise ValueError(f"method {method!r} does not run in the 'rodas' kernel")
    if not 2 <= order <= 12:
        raise ValueError(f"extrapolation order must be in 2..12, got {order}")
    return method, rtol
