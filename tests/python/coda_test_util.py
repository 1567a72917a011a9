"""Shared by tests/python/test_*.py: where the sources and the `coda` CLI are, and running the CLI.

ctest sets PYTHONPATH (the built module), CODA_SOURCE_DIR and CODA_BIN (python/CMakeLists.txt). Run by
hand: PYTHONPATH=build/<dir>/python /usr/bin/python3 -m unittest discover -s tests/python -v
"""
import json
import os
import pathlib
import subprocess

import coda

SRC = pathlib.Path(os.environ.get("CODA_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
MODELS = SRC / "models"


def coda_bin():
    """The built `coda` CLI: $CODA_BIN, else the one beside the module's build directory."""
    if os.environ.get("CODA_BIN"):
        return os.environ["CODA_BIN"]
    return str(pathlib.Path(coda.__file__).resolve().parent.parent / "apps" / "coda" / "coda")


def cli(*args, json_out=True):
    """Runs `coda ARGS...` and returns its parsed JSON (or its stdout); fails the test on a non-zero exit."""
    r = subprocess.run([coda_bin(), *map(str, args)], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"coda {' '.join(map(str, args))} exited {r.returncode}: {r.stderr.strip()}")
    return json.loads(r.stdout) if json_out else r.stdout


def cli_error(*args):
    """Runs `coda ARGS...` expecting failure; returns (exit status, the stderr line)."""
    r = subprocess.run([coda_bin(), *map(str, args)], capture_output=True, text=True, timeout=300)
    return r.returncode, r.stderr.strip()
