"""The networks' data: simulated trajectories -> scaled inputs/outputs, splits, control task.

build  inputs/outputs, split, scaler, the control task's teacher, TrainingData (.npz)
cli    `sparsemotifs dataset`
"""

from sparsemotifs.contracts.names import SPLITS
from sparsemotifs.contracts.tables import SIMULATION_COLUMNS
from sparsemotifs.dataset.build import (
    INPUT_NAMES,
    OUTPUT_NAMES,
    MinMaxScaler,
    TrainingData,
    build_training_data,
    inputs_outputs,
    load_training_data,
    read_simulation_tables,
    split_indices,
    teacher_outputs,
)

__all__ = [
    "INPUT_NAMES",
    "OUTPUT_NAMES",
    "SIMULATION_COLUMNS",
    "SPLITS",
    "MinMaxScaler",
    "TrainingData",
    "build_training_data",
    "inputs_outputs",
    "load_training_data",
    "read_simulation_tables",
    "split_indices",
    "teacher_outputs",
]
