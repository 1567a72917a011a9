"""coda.explore and coda.results.

References: the SQLite store read with Python's sqlite3 module (docs/results_store.md's schema), the
Pareto front recomputed by brute force, the `coda results --json` CLI, coda.quantize + coda.evaluate
for a point's accuracy, and the MLP's MACs by hand.
"""
import json
import math
import os
import pathlib
import sqlite3
import tempfile
import unittest

import coda
from coda_test_util import MODELS, cli

MLP_MACS = 784 * 256 + 256 * 256 + 256 * 10

SPEC = f"""
model: {MODELS / 'mlp.onnx'}
accuracy: {{limit: 200, calib: 32}}
hardware:
  template: gemmini
  knobs: {{dim: [8, 16]}}
precision: {{formats: [W8A8, W4A4], methods: [rtn]}}
objectives: [accuracy:max, latency_s:min]
carbon: catransformers
optimizer: {{name: grid, budget: 4, batch: 2, seed: 1}}
mapper: {{samples: 200, refine: 200, exhaustive_limit: 2000}}
"""


def read_store(path):
    """Every point of a coda results store, by plain SQL."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    points = []
    for seq, key, status, reason, seconds, config in con.execute(
            "SELECT seq, key, status, reason, seconds, config FROM points ORDER BY seq"):
        metrics = {name: (math.nan if value is None else value)
                   for name, value in con.execute("SELECT name, value FROM metrics WHERE seq = ?", (seq,))}
        points.append({"seq": seq, "key": key, "status": status, "reason": reason, "seconds": seconds,
                       "metrics": metrics, "config": json.loads(config)})
    meta = dict(con.execute("SELECT key, value FROM meta"))
    con.close()
    return points, meta


def brute_force_front(points):
    ok = [p for p in points if p["status"] == "ok"]

    def dominates(a, b):
        ge = a["accuracy"] >= b["accuracy"] and a["latency_s"] <= b["latency_s"]
        return ge and (a["accuracy"] > b["accuracy"] or a["latency_s"] < b["latency_s"])
    return [p["key"] for p in ok if not any(dominates(q["metrics"], p["metrics"]) for q in ok)]


class ExploreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        d = pathlib.Path(cls.dir.name)
        cls.spec = d / "space.yaml"
        cls.spec.write_text(SPEC)
        cls.db = str(d / "results.db")
        cls.progress = []
        cls.first = coda.explore(cls.spec, db=cls.db, threads=2, progress=cls.progress.append)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_run_summary(self):
        r = self.first
        self.assertEqual((r["evaluated"], r["reused"], r["stopped"]), (4, 0, False))
        self.assertEqual(r["objectives"], "accuracy:max,latency_s:min")
        self.assertEqual([p["done"] for p in self.progress], [1, 2, 3, 4])
        self.assertEqual({p["last"]["key"] for p in self.progress}, {p["key"] for p in coda.results(self.db)})

    def test_results_equal_sqlite(self):
        mine = coda.results(self.db)
        ref, meta = read_store(self.db)
        self.assertEqual(len(mine), 4)
        self.assertEqual(mine, ref)
        self.assertEqual(meta["objectives"], "accuracy:max,latency_s:min")
        for p in mine:
            self.assertEqual(p["status"], "ok", p["reason"])
            self.assertEqual(p["metrics"]["macs"], MLP_MACS)
            self.assertEqual(set(p["config"]), {"dim", "format", "method"})

    def test_front_is_the_brute_force_front(self):
        points = coda.results(self.db)
        want = brute_force_front(points)
        self.assertEqual([p["key"] for p in self.first["front"]], want)
        pareto = coda.results(self.db, pareto=True)
        self.assertEqual(sorted(p["key"] for p in pareto), sorted(want))
        accs = [p["metrics"]["accuracy"] for p in pareto]
        self.assertEqual(accs, sorted(accs, reverse=True))   # best first on the first objective

    def test_equals_cli_results(self):
        ref = cli("results", self.db, "--json")["points"]
        mine = coda.results(self.db)
        self.assertEqual([(p["seq"], p["key"], p["status"], p["config"]) for p in mine],
                         [(p["seq"], p["key"], p["status"], p["config"]) for p in ref])
        for a, b in zip(mine, ref):
            self.assertEqual(a["metrics"], b["metrics"])
        ref_front = cli("results", self.db, "--json", "--pareto")["points"]
        self.assertEqual([p["key"] for p in coda.results(self.db, pareto=True)], [p["key"] for p in ref_front])

    def test_accuracy_equals_quantize_and_evaluate(self):
        # W8A8 = int8/ch weights, uint8 activations; W4A4 = int4/ch, uint4 (quant/study.h); 32 calibration
        # images and the first 200 test images, as the spec says
        accuracy = {}
        for fmt, weights, acts in (("W8A8", "int8/ch", "uint8"), ("W4A4", "int4/ch", "uint4")):
            q, _ = coda.quantize(str(MODELS / "mlp.onnx"), weights=weights, acts=acts, method="rtn", calib=32)
            accuracy[fmt] = coda.evaluate(q, limit=200)["value"]
        self.assertNotEqual(accuracy["W8A8"], accuracy["W4A4"])
        for p in coda.results(self.db):
            self.assertEqual(p["metrics"]["accuracy"], accuracy[p["config"]["format"]], p["key"])

    def test_rerun_resumes(self):
        again = coda.explore(str(self.spec), db=self.db, threads=2)
        self.assertEqual((again["evaluated"], again["reused"]), (0, 4))
        self.assertEqual([p["key"] for p in again["front"]], [p["key"] for p in self.first["front"]])
        self.assertEqual(len(coda.results(self.db)), 4)

    def test_callback_exception_stops_and_is_raised(self):
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "stopped.db")

            def stop(p):
                raise RuntimeError("enough")
            with self.assertRaisesRegex(RuntimeError, "enough"):
                coda.explore(yaml=SPEC, db=db, threads=2, progress=stop)
            stored = read_store(db)[0]
            self.assertGreaterEqual(len(stored), 1)
            self.assertLess(len(stored), 4)
            resumed = coda.explore(yaml=SPEC, db=db, threads=2)       # picks up where it stopped
            self.assertEqual(resumed["reused"], len(stored))
            self.assertEqual(resumed["evaluated"] + resumed["reused"], 4)
            self.assertEqual(sorted(p["key"] for p in coda.results(db)), sorted(p["key"] for p in coda.results(self.db)))

    def test_errors(self):
        with self.assertRaises(coda.IoError):
            coda.explore("no/such/space.yaml", db=os.path.join(self.dir.name, "x.db"))
        with self.assertRaises(coda.Error) as e:
            coda.explore(yaml=SPEC + "colour: blue\n", db=os.path.join(self.dir.name, "y.db"))
        self.assertIn("colour", str(e.exception))
        with self.assertRaises(coda.Error):
            coda.results(os.path.join(self.dir.name, "missing.db"))
        self.assertFalse(os.path.exists(os.path.join(self.dir.name, "missing.db")))   # never created
        with self.assertRaises(coda.InvalidError):
            coda.results(self.db, pareto=True, objectives="speed:max")
        with self.assertRaises(coda.InvalidError):
            coda.explore(self.spec, db=self.db, budget=-1)
        with self.assertRaises(TypeError):
            coda.explore(self.spec, db=self.db, progress=42)


if __name__ == "__main__":
    unittest.main()
