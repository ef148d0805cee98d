"""Physical parameters of the two-body hawkmoth model (flight_model.md), CGS units throughout.

Lengths are stored already multiplied by the morphology scale s, so the equations of motion
use the fields as they are; build scaled moths with `FlightParams.from_scale(s)`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cached_property

# Unit-scale (s = 1) lengths in cm, from flight_model.md.
_UNIT_LENGTHS = {"b1": 0.5, "a1": 0.9, "b2": 0.75, "a2": 1.9, "L1": 0.9, "L2": 1.9, "L3": 0.75}


@dataclass(frozen=True)
class FlightParams:
    """Parameters of Bustamante et al. (2022); body 1 = head+thorax, body 2 = abdomen."""

    b1: float = 0.5  # head-thorax minor semi-axis, cm
    a1: float = 0.9  # head-thorax major semi-axis, cm
    b2: float = 0.75  # abdomen minor semi-axis, cm
    a2: float = 1.9  # abdomen major semi-axis, cm
    rho1: float = 0.9  # head-thorax density, g/cm^3
    rho2: float = 0.4  # abdomen density, g/cm^3
    rho_air: float = 0.00118  # air density, g/cm^3
    mu_air: float = 0.000186  # air dynamic viscosity, g/(cm s)
    L1: float = 0.9  # joint to centre of mass of body 1, cm
    L2: float = 1.9  # joint to centre of mass of body 2, cm
    L3: float = 0.75  # joint to the point where the aerodynamic force acts, cm
    K: float = 23000.0  # torsional stiffness, dyn cm/rad
    c: float = 14075.8  # torsional damping, dyn cm s/rad
    beta_r: float = 0.0  # spring rest-angle offset, rad
    g: float = 980.0  # gravity, cm/s^2
    scale: float = 1.0  # morphology scale s the lengths above were multiplied by (provenance)

    @classmethod
    def from_scale(cls, scale: float = 1.0) -> FlightParams:
        """Default moth with every length multiplied by `scale`."""
        if not (scale > 0 and math.isfinite(scale)):
            raise ValueError(f"morphology scale must be a positive number, got {scale}")
        return cls(**{k: v * scale for k, v in _UNIT_LENGTHS.items()}, scale=scale)

    @cached_property
    def m1(self) -> float:
        """Mass of body 1, g (solid ellipsoid of revolution)."""
        return self.rho1 * (4.0 / 3.0) * math.pi * self.b1**2 * self.a1

    @cached_property
    def m2(self) -> float:
        """Mass of body 2, g."""
        return self.rho2 * (4.0 / 3.0) * math.pi * self.b2**2 * self.a2

    @property
    def m(self) -> float:
        """Total mass, g."""
        return self.m1 + self.m2

    @property
    def I1(self) -> float:  # noqa: N802 - the symbol of the model
        """Moment of inertia of body 1 about its centre of mass, g cm^2."""
        return self.m1 * (self.a1**2 + self.b1**2) / 5.0

    @property
    def I2(self) -> float:  # noqa: N802
        """Moment of inertia of body 2 about its centre of mass, g cm^2."""
        return self.m2 * (self.a2**2 + self.b2**2) / 5.0

    @property
    def S1(self) -> float:  # noqa: N802
        """Frontal area of body 1 (drag reference), cm^2."""
        return math.pi * self.b1**2

    @property
    def S2(self) -> float:  # noqa: N802
        """Frontal area of body 2, cm^2."""
        return math.pi * self.b2**2

    def as_dict(self) -> dict:
        """Fields plus derived quantities, for provenance in metadata."""
        out = asdict(self)
        out.update(m1=self.m1, m2=self.m2, m=self.m, I1=self.I1, I2=self.I2, S1=self.S1, S2=self.S2)
        return out
