"""Which device a training job uses, given its setting and whether its job asked for a GPU.

A job that asked its scheduler for a GPU (`sparsemotifs train --gpus N`, from
resources.train.gpu) and finds no CUDA device is misconfigured: the GPU is not visible or the
partition has none. Training on the CPU there would take hours longer than requested and give
different numbers without a word, so it is an error unless the fallback is asked for explicitly.
"""

from __future__ import annotations

import logging

import torch

from sparsemotifs import SparsemotifsError

log = logging.getLogger(__name__)

NO_CUDA_IN_GPU_JOB = (
    "this training job asked for {gpus} GPU(s) but finds no CUDA device "
    "(torch {torch} {build}, CUDA_VISIBLE_DEVICES={visible}); check the cluster's GPU partition "
    "and --gpus, or request no GPU (resources.train.gpu: 0, e.g. --configfile ... "
    "config/no-gpu.yaml), or allow the CPU (resources.train.cpu_fallback: true)"
)


class DeviceError(SparsemotifsError):
    """The requested device is not available to this process."""


def _no_cuda_message(gpus: int) -> str:
    import os

    build = f"built with CUDA {torch.version.cuda}" if torch.version.cuda else "built without CUDA"
    return NO_CUDA_IN_GPU_JOB.format(
        gpus=gpus,
        torch=torch.__version__,
        build=build,
        visible=os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>"),
    )


def resolve_device(
    name: str, *, gpus: int = 0, cpu_fallback: bool = False, cuda_available: bool | None = None
) -> torch.device:
    """torch device for training.device `name` ("auto", "cpu", "cuda") in a job that requested
    `gpus` GPUs. auto = CUDA when available, else the CPU, but never the CPU in a job that asked
    for a GPU; cuda = CUDA or an error. `cpu_fallback` turns those errors into a warning."""
    if gpus < 0:
        raise DeviceError(f"--gpus must be >= 0, got {gpus}")
    available = torch.cuda.is_available() if cuda_available is None else cuda_available
    if name == "cpu":
        if gpus:
            log.warning(
                "training.device is cpu: the %d GPU(s) this job requested stay unused", gpus
            )
        return torch.device("cpu")
    if name not in ("auto", "cuda"):
        raise DeviceError(f"training.device must be auto, cpu or cuda, got {name!r}")
    if available:
        return torch.device("cuda")
    if name == "auto" and not gpus:
        return torch.device("cpu")
    message = (
        _no_cuda_message(gpus)
        if gpus
        else "training.device is 'cuda' but no CUDA device is available"
    )
    if cpu_fallback:
        log.warning("%s; training on the CPU instead (resources.train.cpu_fallback)", message)
        return torch.device("cpu")
    raise DeviceError(message)
