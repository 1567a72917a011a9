"""coda.map, coda.carbon, coda.templates.

References: the `coda map --json` and `coda carbon --json` CLI on the same arguments, MACs by hand from
the layer shapes, Eyeriss' published 12 x 14 = 168 PEs (utilization = MACs / (cycles x PEs)), ACT's
published 22 nm Taiwan chip carbon (1576.8 g/cm^2), and the carbon formulas recomputed in Python.
"""
import threading
import time
import unittest

import coda
from coda_test_util import MODELS, cli, cli_error

CNN = str(MODELS / "cnn.onnx")
CNN_MACS = [32 * 1 * 3 * 3 * 28 * 28, 64 * 32 * 3 * 3 * 14 * 14, 3136 * 128, 128 * 10]
MLP = str(MODELS / "mlp.onnx")
MLP_MACS = [784 * 256, 256 * 256, 256 * 10]
# A bounded random search keeps the mapping fast; the CLI is given the same search.
SEARCH = dict(algorithm="random", samples=3000, refine=3000, seed=7)
SEARCH_FLAGS = ["--algorithm", "random", "--samples", 3000, "--refine", 3000, "--seed", 7]


class MapTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cnn = coda.load(CNN)
        cls.eyeriss = coda.map(cls.cnn, arch="eyeriss", threads=2, **SEARCH)

    def test_layers_by_hand_and_eyeriss_pes(self):
        r = self.eyeriss
        self.assertEqual([l["macs"] for l in r["layers"]], CNN_MACS)
        self.assertEqual(r["total"]["macs"], sum(CNN_MACS))
        self.assertEqual(r["total"]["layers"], 4)
        for l in r["layers"]:
            self.assertLessEqual(l["mac_instances"], 168)
            # utilization = MACs / (cycles x 168 PEs x 1 MAC per cycle)
            self.assertAlmostEqual(l["utilization"], l["macs"] / (l["cycles"] * 168), places=12)
            self.assertGreater(l["cycles"], 0)
            self.assertAlmostEqual(l["pj_per_mac"], l["energy_pj"] / l["macs"], places=9)
            self.assertIn("mapping", l["mapping"])      # Timeloop mapping YAML
            self.assertEqual(l["cost"]["cycles"], l["cycles"])
            self.assertGreater(len(l["cost"]["levels"]), 1)
        self.assertEqual(r["total"]["cycles"], sum(l["cycles"] for l in r["layers"]))
        self.assertAlmostEqual(r["total"]["energy_pj"], sum(l["energy_pj"] for l in r["layers"]), delta=1e-6 * r["total"]["energy_pj"])
        self.assertEqual(r["total"]["clock_mhz"], 200)
        self.assertAlmostEqual(r["total"]["latency_us"], r["total"]["cycles"] / 200, places=9)

    def test_equals_cli_map_json(self):
        ref = cli("map", CNN, "--arch", "eyeriss", *SEARCH_FLAGS, "--json")
        got = self.eyeriss
        self.assertEqual(got["total"]["cycles"], ref["total"]["cycles"])
        self.assertEqual(got["total"]["energy_uj"], ref["total"]["energy_uj"])
        self.assertEqual(got["total"]["area_mm2"], ref["total"]["area_mm2"])
        self.assertEqual(got["total"]["utilization"], ref["total"]["utilization"])
        self.assertEqual(got["search"]["evaluated"], ref["search"]["evaluated"])
        for g, r in zip(got["layers"], ref["layers"]):
            self.assertEqual((g["name"], g["cached"]), (r["name"], r["cached"]))
            self.assertEqual(g["mapping"], r["mapping"])
            self.assertEqual(g["cost"], r["cost"])

    def test_template_parameters_and_batch(self):
        small = coda.map(MLP, arch="gemmini?dim=8", batch=2, objective="cycles", threads=2, **SEARCH)
        ref = cli("map", MLP, "--arch", "gemmini?dim=8", "--batch", 2, "--objective", "cycles", *SEARCH_FLAGS, "--json")
        self.assertEqual([l["macs"] for l in small["layers"]], [2 * m for m in MLP_MACS])
        self.assertEqual(small["total"]["cycles"], ref["total"]["cycles"])
        self.assertEqual(small["total"]["energy_uj"], ref["total"]["energy_uj"])
        for l in small["layers"]:
            self.assertLessEqual(l["mac_instances"], 64)   # an 8 x 8 array

    def test_timeloop_architecture_file_with_ert(self):
        # Timeloop's exercise 06: an Eyeriss-like architecture with 256 PEs and its Accelergy ERT
        d = MODELS.parent / "tests" / "data" / "timeloop" / "06-ref-eyeriss-256"
        got = coda.map(MLP, arch=d / "eyeriss-256.arch.yaml", ert=d / "ERT.yaml", threads=2, **SEARCH)
        ref = cli("map", MLP, "--arch", d / "eyeriss-256.arch.yaml", "--ert", d / "ERT.yaml", *SEARCH_FLAGS, "--json")
        self.assertEqual(got["total"]["cycles"], ref["total"]["cycles"])
        self.assertEqual(got["total"]["energy_uj"], ref["total"]["energy_uj"])
        self.assertEqual([l["macs"] for l in got["layers"]], MLP_MACS)
        self.assertAlmostEqual(got["total"]["utilization"], sum(MLP_MACS) / (got["total"]["cycles"] * 256), places=12)
        self.assertIsNone(got["total"]["latency_us"])   # Timeloop's file gives no clock

    def test_errors(self):
        with self.assertRaises(coda.InvalidError) as e:
            coda.map(CNN, arch="nosuch")
        self.assertIn("eyeriss", str(e.exception))        # names the valid templates
        with self.assertRaises(coda.InvalidError):
            coda.map(CNN, arch="gemmini?dim=banana")
        with self.assertRaises(coda.IoError):
            coda.map(CNN, arch="no/such/arch.yaml")
        with self.assertRaises(coda.InvalidError):
            coda.map(CNN, arch="eyeriss", objective="speed")
        with self.assertRaises(coda.InvalidError):
            coda.map(CNN, arch="eyeriss", algorithm="magic")

    def test_map_releases_the_gil(self):
        started, times = threading.Event(), {}

        def work():
            started.set()
            coda.map(CNN, arch="eyeriss", threads=1, algorithm="random", samples=100000, refine=0)   # ~1 s
            times["end"] = time.monotonic()
        t = threading.Thread(target=work)
        t.start()
        started.wait()
        time.sleep(0.05)
        stamp = time.monotonic()   # Python code: runs during the mapping only if map released the GIL
        t.join()
        self.assertLess(stamp, times["end"])

    def test_templates(self):
        t = coda.templates()
        for name in ("gemmini", "eyeriss", "simba", "tpu-v1", "edge-npu", "catransformers"):
            self.assertIn(name, t)
        self.assertIn("168", t["eyeriss"])


class CarbonTest(unittest.TestCase):
    NUMERIC = ("area_mm2", "energy_uj_per_inference", "latency_us", "chip_g_per_cm2", "dram_g_per_gb", "ssd_g_per_gb",
               "embodied_chip_g", "embodied_dram_g", "embodied_ssd_g", "embodied_memory_g", "embodied_g",
               "energy_kwh_per_inference", "per_inference_operational_g", "operational_g", "total_g")

    def assert_same_as_cli(self, got, ref):
        for k in self.NUMERIC:
            self.assertEqual(got[k], ref[k], k)
        self.assertEqual(got["options"], ref["options"])
        self.assertEqual(got["chip_terms_g_per_cm2"], ref["chip_terms_g_per_cm2"])
        self.assertEqual(got["layers"], ref["layers"])

    def test_defaults_equal_cli(self):
        got = coda.carbon(arch="gemmini", model=MLP, threads=2)
        ref = cli("carbon", "--arch", "gemmini", "--model", MLP, "--json")
        self.assert_same_as_cli(got, ref)
        self.assertEqual(got["options"]["node_from"], "architecture")

    def test_preset_with_overrides_equals_cli_and_formulas(self):
        got = coda.carbon(arch="gemmini", model=coda.load(MLP), preset="catransformers", grid=100, inferences=1e6,
                          threads=2)
        ref = cli("carbon", "--arch", "gemmini", "--model", MLP, "--preset", "catransformers", "--grid", 100,
                  "--inferences", 1e6, "--json")
        self.assert_same_as_cli(got, ref)
        o = got["options"]
        self.assertEqual((o["grid_gco2_per_kwh"], o["inferences"], o["fab_location"], o["node_nm"]), (100, 1e6, "taiwan", 22))
        self.assertEqual((o["grid"], o["dram_gb"]), ("", 1))
        self.assertAlmostEqual(got["chip_g_per_cm2"], 1576.8, delta=0.05)   # ACT's 22 nm, Taiwan fab, 95% abatement
        # ACT: embodied chip = area [cm^2] x carbon per area; operational = kWh per inference x inferences x grid
        self.assertAlmostEqual(got["embodied_chip_g"], got["area_mm2"] / 100 * got["chip_g_per_cm2"], delta=1e-9)
        kwh = got["energy_uj_per_inference"] * 1e-6 / 3.6e6
        self.assertAlmostEqual(got["energy_kwh_per_inference"] / kwh, 1, places=12)
        self.assertAlmostEqual(got["operational_g"] / (kwh * 1e6 * 100), 1, places=12)
        self.assertAlmostEqual(got["total_g"], got["embodied_g"] + got["operational_g"], delta=1e-9 * got["total_g"])
        self.assertAlmostEqual(got["embodied_g"], got["embodied_chip_g"] + got["embodied_memory_g"], delta=1e-12)

    def test_errors_name_the_keyword(self):
        with self.assertRaises(coda.InvalidError) as e:
            coda.carbon(arch="gemmini", model=CNN, node=23)
        self.assertEqual(e.exception.where, "node")
        status, line = cli_error("carbon", "--arch", "gemmini", "--model", CNN, "--node", 23)
        self.assertEqual(status, 2)
        self.assertEqual(line, "coda: error: --node: " + e.exception.message)
        with self.assertRaises(coda.InvalidError) as e:
            coda.carbon(arch="gemmini", model=CNN, grid="mars")
        self.assertEqual(e.exception.where, "grid")
        with self.assertRaises(coda.InvalidError) as e:
            coda.carbon(arch="gemmini", model=CNN, fab_yield=1.5)
        self.assertEqual(e.exception.where, "fab_yield")
        with self.assertRaises(coda.InvalidError) as e:
            coda.carbon(arch="eyeriss", model=CNN)   # 65 nm: not a node of ACT's tables
        self.assertEqual(e.exception.where, "node")
        with self.assertRaises(coda.InvalidError):
            coda.carbon(arch="gemmini", model=CNN, preset="nosuch")
        with self.assertRaises(TypeError):
            coda.carbon(arch="gemmini", model=CNN, grid=[1])


if __name__ == "__main__":
    unittest.main()
