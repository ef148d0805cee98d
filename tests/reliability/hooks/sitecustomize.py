"""Fault injection for the reliability tests, loaded by Python at start-up of every process
that has this folder on PYTHONPATH (Snakemake and the `sparsemotifs` jobs it starts).

SPARSEMOTIFS_TEST_PAUSE="<subcommand>:<n>" stops a `sparsemotifs <subcommand>` process in the
middle of its n-th atomic write: the file being written holds half of its bytes, the marker
file SPARSEMOTIFS_TEST_MARKER.<pid> is created and the process sleeps, so that a test can SIGKILL
the run at a known point. SPARSEMOTIFS_TEST_BROKEN_ATOMIC=1 replaces io.atomic_path by an
in-place writer (the deliberately broken variant the atomic-output check must catch);
SPARSEMOTIFS_TEST_SKIP_SEMANTICS=1 is described at its code below. Without these variables
nothing is changed.
"""

from __future__ import annotations

import os
import sys


def _install(command: str, nth: int, marker: str, broken_atomic: bool) -> None:
    import contextlib
    import time
    from pathlib import Path

    from sparsemotifs import io

    real = io.atomic_path

    @contextlib.contextmanager
    def in_place(path, suffix=None):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        yield path

    inner = in_place if broken_atomic else real
    writes = [0]

    @contextlib.contextmanager
    def pausing(path, suffix=None):
        with inner(path, suffix) as tmp:
            yield tmp
            writes[0] += 1
            if writes[0] == nth:
                data = Path(tmp).read_bytes()
                Path(tmp).write_bytes(data[: len(data) // 2])
                Path(f"{marker}.{os.getpid()}").write_text(f"{os.getpid()} {command} {path}\n")
                time.sleep(float(os.environ.get("SPARSEMOTIFS_TEST_PAUSE_S", "120")))
                raise SystemExit(f"test pause of {command} was not killed")

    io.atomic_path = pausing


_spec = os.environ.get("SPARSEMOTIFS_TEST_PAUSE")
if _spec and os.path.basename(sys.argv[0]) == "sparsemotifs":
    _command, _nth = _spec.split(":")
    if _command in sys.argv[1:2]:
        _install(
            _command,
            int(_nth),
            os.environ["SPARSEMOTIFS_TEST_MARKER"],
            os.environ.get("SPARSEMOTIFS_TEST_BROKEN_ATOMIC") == "1",
        )

# SPARSEMOTIFS_TEST_SKIP_SEMANTICS=1: Snakemake's process skips the package's semantic config
# checks (the broken variant the bad-configuration check must catch).
if os.environ.get("SPARSEMOTIFS_TEST_SKIP_SEMANTICS") == "1" and os.path.basename(
    sys.argv[0]
).startswith("snakemake"):
    from sparsemotifs import config as _config

    _config.check_semantics = lambda cfg: None
