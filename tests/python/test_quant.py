"""coda.quantize and coda.evaluate.

References: RTN codes and scales recomputed in numpy from the float weights (symmetric INT8, zero point
0, codes in [-127, 127], round half to even), static activation scales recomputed from the calibration
batch, top-1 recomputed from the model's outputs and the dataset labels, and the `coda quantize` /
`coda run` CLI on the same arguments.
"""
import pathlib
import tempfile
import unittest

import numpy as np

import coda
from coda_test_util import MODELS, cli


def producer(nodes, value):
    return next(n for n in nodes if value in n["outputs"])


def rtn_int8(w, axis=None):
    """Symmetric INT8 round-to-nearest: scale = max|w| / 127 (float32), codes = rint(w / scale)."""
    w = w.astype(np.float32)
    if axis is None:
        amax = np.float64(np.abs(w).max())
        scale = np.float32(amax / 127)
        return np.clip(np.rint(w / scale), -127, 127).astype(np.int64), scale
    amax = np.abs(w).max(axis=tuple(i for i in range(w.ndim) if i != axis)).astype(np.float64)
    scale = (amax / 127).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    return np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int64), scale


def weight_codes(q, layer):
    """The integer codes, scale, zero point and axis of a quantized layer's DequantizeLinear weight."""
    nodes, consts = q.nodes(), q.constants()
    node = next(n for n in nodes if n["name"] == layer)
    dq = producer(nodes, node["inputs"][1])
    assert dq["op"] == "DequantizeLinear", dq
    codes, scale, zp = (consts[v] for v in dq["inputs"][:3])
    return codes, scale, zp, dq["attrs"].get("axis", 1)


class RtnTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mlp = coda.load(str(MODELS / "mlp.onnx"))
        cls.gemms = [n for n in cls.mlp.nodes() if n["op"] == "Gemm"]

    def test_int8_per_tensor_codes_recomputed_in_numpy(self):
        q, report = coda.quantize(self.mlp, weights="int8", acts=None, method="rtn", calib=8)
        self.assertEqual([r["name"] for r in report], [g["name"] for g in self.gemms])
        self.assertEqual([r["name"] for r in report], self.mlp.quantizable_layers())
        consts = self.mlp.constants()
        for g, r in zip(self.gemms, report):
            self.assertEqual((r["weights"], r["acts"], r["method"]), ("int8", "fp32", "rtn"))
            codes, scale, zp, _ = weight_codes(q, g["name"])
            want_codes, want_scale = rtn_int8(consts[g["inputs"][1]])
            self.assertEqual(codes.dtype, np.int8)
            self.assertEqual(scale.shape, ())
            self.assertEqual(scale, want_scale)
            self.assertTrue(np.all(zp == 0))
            np.testing.assert_array_equal(codes.astype(np.int64), want_codes)
            self.assertEqual(np.abs(codes.astype(np.int64)).max(), 127)
        self.assertEqual(q.quantization["weights"], "int8")
        self.assertEqual(q.quantization["acts"], "fp32")
        self.assertIsNone(self.mlp.quantization)
        # the weight-only model computes x @ dequantized(W)^T + b
        x = np.load(MODELS / "samples" / "mlp_input.npy")
        h = x.reshape(len(x), -1).astype(np.float64)
        for i, g in enumerate(self.gemms):
            codes, scale, _, _ = weight_codes(q, g["name"])
            w = codes.astype(np.float32) * scale
            h = h @ w.T.astype(np.float64) + consts[g["inputs"][2]]
            h = np.maximum(h, 0) if i < 2 else h
        np.testing.assert_allclose(q.run(x)["output"], h, atol=1e-4)

    def test_int8_per_channel(self):
        q, _ = coda.quantize(self.mlp, weights="int8/ch", acts=None, calib=8)
        consts = self.mlp.constants()
        for g in self.gemms:
            codes, scale, zp, axis = weight_codes(q, g["name"])
            w = consts[g["inputs"][1]]
            self.assertEqual(scale.shape, (w.shape[axis],))
            want_codes, want_scale = rtn_int8(w, axis)
            np.testing.assert_array_equal(scale, want_scale)
            np.testing.assert_array_equal(codes.astype(np.int64), want_codes)

    def test_plan_skips_a_layer(self):
        last = self.gemms[-1]["name"]
        q, report = coda.quantize(self.mlp, weights="int4/ch", acts=None, calib=8, plan={"layers": {last: "skip"}})
        self.assertEqual([r["name"] for r in report], [g["name"] for g in self.gemms])
        self.assertEqual([(r["weights"], r["method"]) for r in report], [("int4/ch", "rtn")] * 2 + [("fp32", "skip")])
        node = next(n for n in q.nodes() if n["name"] == last)
        np.testing.assert_array_equal(q.constants()[node["inputs"][1]], self.mlp.constants()[self.gemms[-1]["inputs"][1]])
        codes, *_ = weight_codes(q, self.gemms[0]["name"])
        self.assertLessEqual(np.abs(codes.astype(np.int64)).max(), 7)   # int4: codes in [-7, 7]


class CalibratedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cnn = coda.load(str(MODELS / "cnn.onnx"))
        cls.images, cls.labels = coda.dataset("fashion-mnist", split="train", limit=32)

    def test_static_uint8_input_scale_from_own_calibration(self):
        q, report = coda.quantize(self.cnn, weights="int8/ch", acts="uint8", calibration={"input": self.images})
        self.assertEqual(q.quantization["calib"], 32)
        self.assertEqual(report[0]["acts"][:5], "uint8")
        nodes, consts = q.nodes(), q.constants()
        conv1 = next(n for n in nodes if n["name"] == report[0]["name"])
        dq = producer(nodes, conv1["inputs"][0])
        ql = producer(nodes, dq["inputs"][0])
        self.assertEqual((dq["op"], ql["op"]), ("DequantizeLinear", "QuantizeLinear"))
        self.assertEqual(ql["inputs"][0], "input")
        scale, zp = consts[ql["inputs"][1]], consts[ql["inputs"][2]]
        # asymmetric uint8 over [min(0, x), max(x)] = [0, max]: scale = max / 255, zero point 0
        self.assertEqual(scale, np.float32(np.float64(self.images.max()) / 255))
        self.assertEqual(zp, 0)
        self.assertEqual(zp.dtype, np.uint8)

    def test_gptq_error_not_above_rtn(self):
        mlp = str(MODELS / "mlp.onnx")
        q, report = coda.quantize(mlp, weights="int4/ch", acts=None, method="gptq", calibration=[{"input": self.images}])
        self.assertEqual(len(report), 3)
        for r in report:
            self.assertEqual(r["method"], "gptq")
            self.assertGreater(r["error_rtn"], 0)
            self.assertLessEqual(r["error_gptq"], r["error_rtn"] * (1 + 1e-9), r["name"])

    def test_w8a8_equals_cli_and_numpy_top1(self):
        limit = 400
        q, _ = coda.quantize(str(MODELS / "cnn.onnx"), weights="int8/ch", acts="uint8", method="rtn", calib=64)
        ev = coda.evaluate(q, limit=limit)
        with tempfile.TemporaryDirectory() as d:
            out = pathlib.Path(d) / "cnn_w8a8.onnx"
            ref = cli("quantize", MODELS / "cnn.onnx", "--weights", "int8/ch", "--acts", "uint8", "--method", "rtn",
                      "--calib", 64, "-o", out, "--eval", "--limit", limit, "--json")
            self.assertEqual(ev["metric"], "top1")
            self.assertEqual(ev["samples"], limit)
            self.assertEqual(ev["value"], ref["eval"]["value"])
            mine = pathlib.Path(d) / "mine.onnx"
            q.export(mine)
            self.assertEqual(mine.read_bytes(), out.read_bytes())   # the same QDQ model, byte for byte
            ran = cli("run", out, "--dataset", "fashion-mnist", "--limit", limit, "--json")
            self.assertEqual(ran["value"], ev["value"])
        images, labels = coda.dataset(split="test", limit=limit)
        top1 = float(np.mean(q.run(images)["output"].argmax(1) == labels))
        self.assertAlmostEqual(ev["value"], top1, places=12)
        fp32 = coda.evaluate(self.cnn, limit=limit)["value"]
        self.assertGreater(ev["value"], fp32 - 0.02)


class EvaluateTest(unittest.TestCase):
    def test_decoder_psnr_equals_cli(self):
        ev = coda.evaluate(str(MODELS / "decoder.onnx"), limit=200)
        ref = cli("run", MODELS / "decoder.onnx", "--dataset", "fashion-mnist", "--limit", 200, "--json")
        self.assertEqual(ev["metric"], "psnr_db")
        self.assertEqual(ev["value"], ref["value"])
        # by hand: decoder(encoder(x)) against x, PSNR = 10 log10(1 / MSE) over all pixels of the 200 images
        images, _ = coda.dataset(limit=200)
        z = coda.load(str(MODELS / "encoder.onnx")).run(images)["output"]
        y = coda.load(str(MODELS / "decoder.onnx")).run(z)["output"]
        mse = np.mean((y.astype(np.float64) - images) ** 2)
        self.assertAlmostEqual(ev["value"], float(10 * np.log10(1 / mse)), delta=1e-6)

    def test_gcn_equals_cli(self):
        ev = coda.evaluate(str(MODELS / "gcn.onnx"))
        ref = cli("run", MODELS / "gcn.onnx", "--dataset", "digits-graph", "--json")
        self.assertEqual((ev["value"], ev["samples"]), (ref["value"], ref["samples"]))


class QuantErrorTest(unittest.TestCase):
    def test_bad_arguments(self):
        mlp = coda.load(str(MODELS / "mlp.onnx"))
        with self.assertRaises(coda.ParseError):
            coda.quantize(mlp, weights="int17", calib=8)
        with self.assertRaises(coda.InvalidError):
            coda.quantize(mlp, method="nope", calib=8)
        with self.assertRaises(coda.InvalidError):
            coda.quantize(mlp, act_mode="sometimes", calib=8)
        with self.assertRaises(coda.InvalidError) as e:
            coda.quantize(mlp, calib=8, plan={"layers": {"/no/such/Gemm": "skip"}})
        self.assertIn("/no/such/Gemm", str(e.exception))
        with self.assertRaises(coda.Error):
            coda.quantize(mlp, calibration={"input": np.zeros((2, 3, 28, 28), np.float32)})
        with self.assertRaises(coda.InvalidError):
            coda.evaluate(mlp, dataset="imagenet")
        with self.assertRaises(coda.IoError):
            coda.quantize(mlp, calib=8, plan="no/such/plan.yaml")


if __name__ == "__main__":
    unittest.main()
