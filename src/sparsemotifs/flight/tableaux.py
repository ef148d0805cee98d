"""Coefficients of the Rosenbrock methods of flight/rosenbrock.py, in the transformed form of
Hairer & Wanner IV.7: (I / (h gamma) - J) U_i = f(y + sum_j a_ij U_j) + sum_j (c_ij / h) U_j,
y1 = y + sum_j m_j U_j; e = m - m_embedded gives the error estimate.

RODAS4: Hairer & Wanner's RODAS code. Rodas5P: Steinebach (2023, BIT 63:27). Both are
stiffly accurate: the solution is the last stage's argument plus U_s, the embedded solution
the last stage's argument. Both checked by their orders of convergence (tests/flight).
"""

from __future__ import annotations

import numpy as np

MAX_STAGES = 8


def _lower(rows):
    out = np.zeros((len(rows) + 1, len(rows) + 1))
    for i, row in enumerate(rows):
        out[i + 1, : i + 1] = row
    return out


class Tableau:
    """Transformed Rosenbrock coefficients: gamma, a (s, s), c (s, s), m, e = m - m_embedded."""

    def __init__(self, name, gamma, a_rows, c_rows, m, m_embedded, order):
        self.name, self.gamma, self.order = name, float(gamma), int(order)
        self.a, self.c = _lower(a_rows), _lower(c_rows)
        self.m = np.asarray(m, dtype=np.float64)
        self.e = self.m - np.asarray(m_embedded, dtype=np.float64)
        self.stages = len(self.m)
        if self.stages > MAX_STAGES:
            raise ValueError(f"at most {MAX_STAGES} stages, got {self.stages}")

    def padded(self):
        """(a, c, m, e) with MAX_STAGES columns, zero beyond the method's stages: the compiled
        sums over j then have a fixed length and vectorise over lanes."""
        pad = MAX_STAGES - self.stages
        return (np.pad(self.a, ((0, 0), (0, pad))), np.pad(self.c, ((0, 0), (0, pad))),
                np.pad(self.m, (0, pad)), np.pad(self.e, (0, pad)))  # fmt: skip


_R4 = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950]
RODAS4 = Tableau(
    "rodas4", 0.25,
    [[1.544], [0.9466785280815826, 0.2557011698983284],
     [3.314825187068521, 2.896124015972201, 0.9986419139977817], _R4, [*_R4, 1.0]],
    [[-5.6688], [-2.430093356833875, -0.2063599157091915],
     [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
     [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
     [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136,
      -6.058818238834054]],
    [*_R4, 1.0, 1.0], [*_R4, 1.0, 2.0], order=4,
)  # fmt: skip
_R5P = [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
        0.030198172008377946]  # fmt: skip
RODAS5P = Tableau(
    "rodas5p", 0.21193756319429014,
    [[3.0], [2.849394379747939, 0.45842242204463923],
     [-6.954028509809101, 2.489845061869568, -10.358996098473584],
     [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
     _R5P, [*_R5P, 1.0], [*_R5P, 1.0, 1.0]],
    [[-14.155112264123755], [-17.97296035885952, -2.859693295451294],
     [147.12150275711716, -1.41221402718213, 71.68940251302358],
     [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
     [24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125,
      -0.6610691825249471],
     [30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783,
      -19.097331116725623, -28.087943162872662],
     [37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047,
      -40.06618937091002, -54.66780262877968, -9.48861652309627]],
    [*_R5P, 1.0, 1.0, 1.0], [*_R5P, 1.0, 1.0, 0.0], order=5,
)  # fmt: skip
TABLEAUX = {t.name: t for t in (RODAS5P, RODAS4)}
