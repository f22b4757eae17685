"""The MNIST examples' checkpoint: one ``.npz`` file holding everything a resumed run needs.

Members: ``model.<key>`` (the model's state dict), ``optimizer.<index>.<name>`` (the
optimizer's arrays) and ``meta.json``: the run's settings (command-line values and a
fingerprint of the data), the history of finished epochs, the optimizer's hyper-parameters
and counters, the schedule, and the states of the random generators (shuffling, dropout).
One file, written atomically, so a crash can never pair an epoch-2 model with an epoch-1
optimizer. Plain numbers and arrays only: loading never unpickles.

A resumed run continues exactly: it equals the run that was never interrupted. So it keeps
the checkpoint's settings: those left off the command line are taken from the file, and
those given with other values are refused with a message listing them. Loading validates
everything it reads before it changes anything.
"""

from __future__ import annotations

import argparse
import json
import numbers
import os
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from autograd_lite import nn, optim
from autograd_lite.npz import NpzReader, read_arrays, save_npz

FORMAT, VERSION = "autograd_lite example checkpoint", 1
META = "meta.json"
META_KEYS = {"format", "version", "settings", "history", "optimizer", "scheduler", "rngs"}
# Command-line values that are not settings of the run: where things are, what to write.
NOT_SETTINGS = {"data_dir", "save", "resume", "plot", "no_progress", "threads",
                "export"}
HISTORY_KEYS = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds")


class CheckpointError(ValueError):
    """A checkpoint that cannot continue this run; the message names the file and why."""


def run_settings(example: str, args: argparse.Namespace, t_train: np.ndarray,
                 t_test: np.ndarray) -> dict[str, Any]:
    """What makes a run what it is: the example, its command-line settings, and a fingerprint
    of the data (sizes and a checksum of the labels, so other data is noticed)."""
    settings = {key: value for key, value in vars(args).items() if key not in NOT_SETTINGS}
    labels = np.concatenate([t_train, t_test]).astype("<i8")
    settings["example"] = example
    settings["data"] = {"train": len(t_train), "test": len(t_test),
                        "labels_crc32": zlib.crc32(labels.tobytes())}
    return _as_json(settings)


# ----------------------------------------------------------------------------- resuming
def merge_settings(args: argparse.Namespace, given: Iterable[str], path: str | os.PathLike,
                   example: str) -> None:
    """Take the checkpoint's settings into `args`: those not `given` on the command line are
    adopted, those given with another value are refused (`CheckpointError` listing them)."""
    saved = read_settings(path)
    if saved.get("example") != example:
        raise CheckpointError(f"--resume {path}: a checkpoint of {saved.get('example')!r}, "
                              f"not of {example}")
    given, differences = set(given), []
    current = {key: value for key, value in vars(args).items() if key not in NOT_SETTINGS}
    for key in sorted(current.keys() | (saved.keys() - {"example", "data"})):
        here, there = _as_json(current.get(key)), saved.get(key)
        if here == there:
            continue
        if key in given or key not in saved or key not in current or not _same_kind(here, there):
            differences.append(f"  {_flag(key)}: {_show(there)} in the checkpoint, "
                               f"{_show(here)} here")
        else:
            setattr(args, key, there)
    if differences:
        raise CheckpointError(
            f"--resume {path}: this run's settings differ from the checkpoint's:\n"
            + "\n".join(differences)
            + "\nA run continues only with its own settings (the batches and the learning-"
              "rate schedule depend on them): leave these options out to continue it, or "
              "leave out --resume to start a new run.")


def read_settings(path: str | os.PathLike) -> dict[str, Any]:
    """The settings stored in a checkpoint (read and checked without touching the arrays)."""
    with NpzReader(path) as reader:
        return _read_meta(reader)["settings"]


class TrainingState:
    """The parts of a run that change as it trains, saved and restored together.

    Parameters
    ----------
    model, optimizer, scheduler
        As the example built them (the scheduler steps once per batch).
    rngs : dict of str to Generator
        The generators still drawn from while training (shuffling, dropout).
    settings : dict
        From :func:`run_settings`.
    steps_per_epoch : int
        Batches per epoch (the scheduler's position is checked against it).
    """

    def __init__(self, model: nn.Module, optimizer: optim.Optimizer, scheduler: Any,
                 rngs: dict[str, np.random.Generator], settings: dict[str, Any],
                 steps_per_epoch: int) -> None:
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.rngs, self.settings, self.steps_per_epoch = rngs, settings, steps_per_epoch
        self.params = [p for group in optimizer.param_groups for p in group["params"]]

    def save(self, path: str | os.PathLike, history: list[dict[str, float]]) -> None:
        """Write the checkpoint to `path` (atomically; the folder is created)."""
        arrays = {f"model.{key}": value for key, value in self.model.state_dict().items()}
        packed = self.optimizer.state_dict()
        scalars: dict[str, dict[str, Any]] = {}
        for index, entries in packed["state"].items():
            for name, value in entries.items():
                if isinstance(value, np.ndarray):
                    arrays[f"optimizer.{index}.{name}"] = value
                else:
                    scalars.setdefault(str(index), {})[name] = value
        meta = {
            "format": FORMAT, "version": VERSION, "settings": self.settings,
            "history": history,
            "optimizer": {"type": type(self.optimizer).__name__,
                          "param_groups": packed["param_groups"], "scalars": scalars},
            "scheduler": self.scheduler.state_dict(),
            "rngs": {name: rng.bit_generator.state for name, rng in self.rngs.items()},
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        save_npz(path, arrays, {META: json.dumps(_as_json(meta), indent=1)})

    def load(self, path: str | os.PathLike) -> list[dict[str, float]]:
        """Restore the checkpoint at `path`; returns the history of finished epochs.

        Everything is checked before anything changes: the settings, the history, the
        optimizer's type, groups and counters, the schedule's position, the generators'
        states, and every array's key, shape and dtype (before its data is read).

        Raises
        ------
        CheckpointError
            (a ValueError) naming the file and what is wrong; ``KeyError`` for missing or
            unexpected arrays; ``FileNotFoundError``.
        """
        path = os.fspath(path)
        with NpzReader(path) as reader:
            meta = _read_meta(reader)
            where = f"--resume {path}"
            if meta["settings"] != self.settings:
                raise CheckpointError(f"{where}: the checkpoint's settings differ from this "
                                      f"run's: {_differences(meta['settings'], self.settings)}")
            history = _check_history(meta["history"], self.settings["epochs"], where)
            groups, scalars = self._check_optimizer(meta["optimizer"], where)
            schedule = self._check_scheduler(meta["scheduler"], len(history), where)
            rng_states = self._check_rngs(meta["rngs"], where)
            like = {f"model.{key}": value for key, value in self.model.state_dict().items()}
            like.update(self._optimizer_templates(reader.arrays, where))
            arrays = read_arrays(reader, like, f"{where}: load", strict=True, texts=[META])

        state: dict[int, dict[str, Any]] = {int(i): dict(v) for i, v in scalars.items()}
        for key, value in arrays.items():
            if key.startswith("optimizer."):
                _, index, name = key.split(".", 2)
                state.setdefault(int(index), {})[name] = value
        # After an epoch, every parameter has the same kinds of state (Adam: step, exp_avg,
        # exp_avg_sq): a file that leaves some out would fail in step(), far from here.
        kinds = {frozenset(entries) for entries in state.values()}
        if history and (len(state) != len(self.params) or len(kinds) != 1):
            raise CheckpointError(f"{where}: the optimizer state does not cover every "
                                  "parameter alike")
        self.optimizer.load_state_dict({"state": state, "param_groups": groups})
        self.scheduler.load_state_dict(schedule)
        self.model.load_state_dict({key.removeprefix("model."): value
                                    for key, value in arrays.items() if key.startswith("model.")})
        for name, rng in self.rngs.items():
            rng.bit_generator.state = rng_states[name]
        return history

    def resume(self, path: str | os.PathLike) -> list[dict[str, float]]:
        """`load` for the command line: a checkpoint that cannot continue this run ends the
        program with the reason instead of a traceback."""
        try:
            return self.load(path)
        except (ValueError, KeyError, OSError) as err:
            message = err.args[0] if isinstance(err, KeyError) and err.args else err
            raise SystemExit(f"{Path(sys.argv[0]).name}: {message}") from None

    # -- checks of what the file says, against this run
    def _check_optimizer(self, saved: Any, where: str) -> tuple[list, dict]:
        expected = {"type", "param_groups", "scalars"}
        _check_dict(saved, expected, f"{where}: 'optimizer'")
        name = type(self.optimizer).__name__
        if saved["type"] != name:
            raise CheckpointError(f"{where}: the optimizer is {saved['type']!r} in the "
                                  f"checkpoint, {name} here")
        current = _as_json(self.optimizer.state_dict()["param_groups"])
        groups = saved["param_groups"]
        if not isinstance(groups, list) or len(groups) != len(current):
            raise CheckpointError(f"{where}: the optimizer's parameter groups differ")
        for i, (group, mine) in enumerate(zip(groups, current)):
            _check_dict(group, set(mine), f"{where}: parameter group {i}")
            for key, value in group.items():
                # Only the scheduled learning rate moves during a run; the rest is settings.
                ok = _is_number(value) and value >= 0 if key == "lr" else value == mine[key]
                if not ok:
                    raise CheckpointError(f"{where}: parameter group {i} has {key} = "
                                          f"{value!r}, this run {mine[key]!r}")
        scalars = saved["scalars"]
        if not isinstance(scalars, dict):
            raise CheckpointError(f"{where}: the optimizer's counters are not a dict")
        for index, entries in scalars.items():
            self._param(index, where)
            if not isinstance(entries, dict) or not all(
                    isinstance(k, str) and _is_number(v) for k, v in entries.items()):
                raise CheckpointError(f"{where}: the optimizer's counters of parameter "
                                      f"{index} are not numbers")
        return groups, scalars

    def _optimizer_templates(self, keys: Iterable[str], where: str) -> dict[str, np.ndarray]:
        """Expected shape and dtype of each optimizer array in the file: its parameter's."""
        templates = {}
        for key in keys:
            if key.startswith("optimizer."):
                parts = key.split(".")
                if len(parts) != 3 or not parts[2].isidentifier():
                    raise CheckpointError(f"{where}: unexpected array {key!r}")
                templates[key] = self._param(parts[1], where).data
        return templates

    def _param(self, index: str, where: str) -> Any:
        if not (index.isdigit() and int(index) < len(self.params)):
            raise CheckpointError(f"{where}: the optimizer state names parameter {index!r}; "
                                  f"the model has {len(self.params)}")
        return self.params[int(index)]

    def _check_scheduler(self, saved: Any, epochs_done: int, where: str) -> dict[str, Any]:
        current = _as_json(self.scheduler.state_dict())
        _check_dict(saved, set(current), f"{where}: 'scheduler'")
        for key, value in saved.items():
            if key == "last_epoch":
                ok = value == epochs_done * self.steps_per_epoch
            elif key == "_last_lr":
                ok = (isinstance(value, list) and len(value) == len(current[key])
                      and all(_is_number(v) for v in value))
            else:
                ok = value == current[key]
            if not ok:
                raise CheckpointError(f"{where}: the schedule's {key} is {value!r}; this run "
                                      f"expects {current[key]!r} after {epochs_done} epochs")
        return saved

    def _check_rngs(self, saved: Any, where: str) -> dict[str, Any]:
        _check_dict(saved, set(self.rngs), f"{where}: 'rngs'")
        for name, rng in self.rngs.items():
            try:  # on a spare generator of the same kind, so a bad state changes nothing
                type(rng.bit_generator)().state = saved[name]
            except (TypeError, ValueError, KeyError) as err:
                raise CheckpointError(f"{where}: the state of the {name} generator is not "
                                      f"valid ({err})") from None
        return saved


# ----------------------------------------------------------------------------- helpers
def _read_meta(reader: NpzReader) -> dict[str, Any]:
    where = f"--resume {reader.path}"
    if META not in reader.texts:
        raise CheckpointError(f"{where}: not a checkpoint of the examples (no {META}; a file "
                              "written by Module.save loads with model.load)")
    try:
        meta = json.loads(reader.read_text(META))
    except json.JSONDecodeError as err:
        raise CheckpointError(f"{where}: {META} is not valid JSON ({err})") from None
    _check_dict(meta, META_KEYS, where)
    if (meta["format"], meta["version"]) != (FORMAT, VERSION):
        raise CheckpointError(f"{where}: format {meta['format']!r} version {meta['version']!r}"
                              f", expected {FORMAT!r} version {VERSION}")
    if not isinstance(meta["settings"], dict):
        raise CheckpointError(f"{where}: the settings are not a dict")
    return meta


def _check_history(history: Any, epochs: int, where: str) -> list[dict[str, float]]:
    if not isinstance(history, list) or len(history) > epochs:
        raise CheckpointError(f"{where}: the history is not a list of at most {epochs} epochs")
    for n, entry in enumerate(history, start=1):
        _check_dict(entry, set(HISTORY_KEYS), f"{where}: history entry {n}")
        if entry["epoch"] != n or not all(_is_number(entry[key]) for key in HISTORY_KEYS):
            raise CheckpointError(f"{where}: history entry {n} is not epoch {n} with numbers")
    return history


def _check_dict(value: Any, keys: set[str], where: str) -> None:
    if not isinstance(value, dict):
        raise CheckpointError(f"{where}: expected a dict, got {type(value).__name__}")
    if set(value) != keys:
        raise CheckpointError(f"{where}: keys {sorted(value)}, expected {sorted(keys)}")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _same_kind(here: Any, there: Any) -> bool:
    """Whether a checkpoint's value `there` may stand in for this run's default `here`: the
    same type (lists: of the same length and kinds), or an int for an unset option."""
    if here is None:
        return type(there) is int
    if isinstance(here, list):
        return (isinstance(there, list) and len(here) == len(there)
                and all(_same_kind(a, b) for a, b in zip(here, there)))
    return type(here) is type(there)


def _as_json(value: Any) -> Any:
    """`value` as JSON gives it back (tuples become lists, NumPy scalars Python numbers)."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a checkpoint")


def _differences(saved: dict[str, Any], current: dict[str, Any]) -> str:
    keys = sorted(k for k in saved.keys() | current.keys() if saved.get(k) != current.get(k))
    return "; ".join(f"{_flag(k)} {_show(saved.get(k))} in the checkpoint, "
                     f"{_show(current.get(k))} here" for k in keys)


def _flag(key: str) -> str:
    return "the data" if key == "data" else "--" + key.replace("_", "-")


def _show(value: Any) -> str:
    return "none" if value is None else json.dumps(value)
