"""coda.load, coda.Model (inspect, layers, run, nodes, constants, export), coda.zoo, coda.dataset, errors.

References: MACs and parameters counted by hand from the layer shapes the fixtures were trained with
(models/train_fixtures.py), the fixture outputs torch computed (models/samples/*_output.npy), torchvision's
published parameter count of ResNet-18, the `coda inspect --json` CLI, and numpy.
"""
import os
import pathlib
import tempfile
import unittest

import numpy as np

import coda
from coda_test_util import MODELS, cli

# cnn.onnx: Conv(1->32, k3, pad 1) on 28x28, MaxPool 2, Conv(32->64, k3, pad 1) on 14x14, MaxPool 2,
# Linear(3136->128), Linear(128->10). A conv's MACs are K*C*R*S*P*Q per image, a Linear's in*out.
CNN_MACS = [32 * 1 * 3 * 3 * 28 * 28, 64 * 32 * 3 * 3 * 14 * 14, 3136 * 128, 128 * 10]
CNN_PARAMS = (32 * 1 * 9 + 32) + (64 * 32 * 9 + 64) + (3136 * 128 + 128) + (128 * 10 + 10)
MLP_MACS = [784 * 256, 256 * 256, 256 * 10]
MLP_PARAMS = (784 * 256 + 256) + (256 * 256 + 256) + (256 * 10 + 10)
# vit.onnx: patch Conv(1->64, k7, s7) -> 16 tokens of 64; 4 layers of q, k, v, out Linear(64->64) on 16
# tokens, QK^T and AV over 4 heads of 16 (16x16x16 each), FFN 64->128->64; head Linear(64->10) after the mean.
VIT_LAYER = 4 * 16 * 64 * 64 + 2 * 4 * 16 * 16 * 16 + 2 * 16 * 64 * 128
VIT_MACS = 64 * 1 * 7 * 7 * 4 * 4 + 4 * VIT_LAYER + 64 * 10


def compute_macs(layers):
    return [l["macs"] for l in layers if l["problem"] is not None]


class InspectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cnn = coda.load(str(MODELS / "cnn.onnx"))

    def test_cnn_macs_and_params_by_hand(self):
        info = self.cnn.inspect()
        self.assertEqual(compute_macs(info["layers"]), CNN_MACS)
        self.assertEqual(info["total"]["macs"], sum(CNN_MACS))
        self.assertEqual(info["total"]["params"], CNN_PARAMS)
        self.assertEqual(info["ops"], {"Conv": 2, "Relu": 3, "MaxPool": 2, "Flatten": 1, "Gemm": 2})
        self.assertEqual(info["inputs"], [{"name": "input", "dtype": "float32", "shape": ["batch", 1, 28, 28]}])
        self.assertEqual(info["outputs"][0]["name"], "output")
        self.assertEqual(info["metadata"]["coda.task"], "classification")

    def test_batch_scales_macs(self):
        self.assertEqual(compute_macs(self.cnn.layers(batch=4)), [4 * m for m in CNN_MACS])

    def test_problem_dims_of_first_conv(self):
        conv1 = self.cnn.layers()[0]
        self.assertEqual(conv1["op"], "Conv")
        self.assertEqual(conv1["output_shape"], [1, 32, 28, 28])
        dims = conv1["problem"]["dims"]
        self.assertEqual((dims["K"], dims["C"], dims["R"], dims["S"], dims["P"], dims["Q"]), (32, 1, 3, 3, 28, 28))
        self.assertEqual(conv1["problem"]["macs"], CNN_MACS[0])

    def test_mlp_and_vit_by_hand(self):
        mlp = coda.inspect(MODELS / "mlp.onnx")  # os.PathLike accepted
        self.assertEqual(compute_macs(mlp["layers"]), MLP_MACS)
        self.assertEqual(mlp["total"]["params"], MLP_PARAMS)
        self.assertEqual(coda.inspect(str(MODELS / "vit.onnx"))["total"]["macs"], VIT_MACS)

    def test_equals_cli_inspect_json(self):
        for name in ("cnn", "vit"):
            ref = cli("inspect", MODELS / f"{name}.onnx", "--json", "--batch", 2)
            got = coda.load(str(MODELS / f"{name}.onnx")).inspect(batch=2)
            self.assertEqual(got["total"]["macs"], ref["total"]["macs"])
            self.assertEqual(got["total"]["params"], ref["total"]["params"])
            self.assertEqual([(l["name"], l["op"], l["output_shape"], l["macs"], l["params"]) for l in got["layers"]],
                             [(l["name"], l["op"], l["output_shape"], l["macs"], l["params"]) for l in ref["layers"]])

    def test_zoo_resnet18_has_torchvisions_parameter_count(self):
        self.assertIn("resnet18", coda.zoo())
        r18 = coda.load("zoo:resnet18")
        self.assertEqual(r18.inspect()["total"]["params"], 11689512)  # torchvision's resnet18

    def test_nodes_and_constants(self):
        nodes = self.cnn.nodes()
        conv1 = nodes[0]
        self.assertEqual(conv1["op"], "Conv")
        self.assertEqual(conv1["attrs"]["kernel_shape"], [3, 3])
        weights = self.cnn.constants()
        w = weights[conv1["inputs"][1]]
        self.assertEqual(w.shape, (32, 1, 3, 3))
        self.assertEqual(w.dtype, np.float32)
        params = sum(weights[n["inputs"][k]].size for n in nodes if n["op"] in ("Conv", "Gemm") for k in (1, 2))
        self.assertEqual(params, CNN_PARAMS)


class RunTest(unittest.TestCase):
    def test_fixtures_match_torch(self):
        for name in ("cnn", "mlp", "vit"):
            x = np.load(MODELS / "samples" / f"{name}_input.npy")
            ref = np.load(MODELS / "samples" / f"{name}_output.npy")
            out = coda.load(str(MODELS / f"{name}.onnx")).run({"input": x})
            self.assertEqual(list(out), ["output"])
            self.assertEqual(out["output"].shape, ref.shape)
            self.assertEqual(out["output"].dtype, np.float32)
            np.testing.assert_allclose(out["output"], ref, atol=1e-4, err_msg=name)

    def test_gcn_two_inputs_by_name_and_in_order(self):
        m = coda.load(str(MODELS / "gcn.onnx"))
        f = np.load(MODELS / "samples" / "gcn_features.npy")
        a = np.load(MODELS / "samples" / "gcn_adjacency.npy")
        ref = np.load(MODELS / "samples" / "gcn_output.npy")
        by_name = m.run({"adjacency": a, "features": f})["output"]
        np.testing.assert_allclose(by_name, ref, atol=1e-4)
        np.testing.assert_array_equal(m.run([f, a])["output"], by_name)

    def test_input_forms_and_float64_cast(self):
        m = coda.load(str(MODELS / "mlp.onnx"))
        x = np.load(MODELS / "samples" / "mlp_input.npy")
        a = m.run({"input": x})["output"]
        np.testing.assert_array_equal(m.run(x)["output"], a)
        np.testing.assert_array_equal(m.run([x])["output"], a)
        np.testing.assert_array_equal(m.run(x.astype(np.float64))["output"], a)  # cast to the input's float32
        np.testing.assert_array_equal(m.run(x[:, :, ::-1, :][:, :, ::-1, :])["output"], a)  # non-contiguous view
        np.testing.assert_array_equal(m.run(x, threads=1)["output"], a)

    def test_mlp_by_hand_in_numpy(self):
        m = coda.load(str(MODELS / "mlp.onnx"))
        c = m.constants()
        gemms = [n for n in m.nodes() if n["op"] == "Gemm"]
        x = np.load(MODELS / "samples" / "mlp_input.npy").reshape(4, -1).astype(np.float64)
        for i, g in enumerate(gemms):
            w, b = c[g["inputs"][1]].astype(np.float64), c[g["inputs"][2]].astype(np.float64)
            x = x @ (w.T if g["attrs"].get("transB", 0) else w) + b
            if i < len(gemms) - 1:
                x = np.maximum(x, 0)
        np.testing.assert_allclose(m.run(np.load(MODELS / "samples" / "mlp_input.npy"))["output"], x, atol=1e-4)

    def test_export_round_trip(self):
        m = coda.load("zoo:resnet18?seed=3")
        x = np.random.default_rng(0).standard_normal((1, 3, 224, 224), dtype=np.float32)
        with tempfile.TemporaryDirectory() as d:
            path = pathlib.Path(d) / "r18.onnx"
            m.export(path)
            again = coda.load(str(path))
            self.assertEqual(again.inspect()["total"], m.inspect()["total"])
            np.testing.assert_array_equal(again.run(x)["output"], m.run(x)["output"])

    def test_dataset_matches_labels_and_top1(self):
        images, labels = coda.dataset("fashion-mnist", split="test", limit=300)
        self.assertEqual(images.shape, (300, 1, 28, 28))
        self.assertEqual(images.dtype, np.float32)
        self.assertTrue(0 <= images.min() and images.max() <= 1)
        self.assertEqual(labels.shape, (300,))
        logits = coda.load(str(MODELS / "cnn.onnx")).run(images)["output"]
        top1 = float(np.mean(logits.argmax(1) == labels))
        self.assertAlmostEqual(top1, coda.evaluate(str(MODELS / "cnn.onnx"), limit=300)["value"], places=12)


class ErrorTest(unittest.TestCase):
    def test_missing_file(self):
        with self.assertRaises(coda.IoError) as e:
            coda.load("no/such/model.onnx")
        self.assertIsInstance(e.exception, coda.Error)
        self.assertIsInstance(e.exception, OSError)
        self.assertEqual(e.exception.where, "no/such/model.onnx")
        self.assertEqual(e.exception.kind, "io")
        self.assertEqual(str(e.exception), "no/such/model.onnx: " + e.exception.message)

    def test_same_message_as_cli(self):
        with self.assertRaises(coda.Error) as e:
            coda.load("zoo:nosuchmodel")
        self.assertIsInstance(e.exception, ValueError)
        from coda_test_util import cli_error
        status, line = cli_error("inspect", "zoo:nosuchmodel")
        self.assertEqual(status, 2)
        self.assertEqual(line, "coda: error: " + str(e.exception))

    def test_not_an_onnx_file(self):
        with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
            f.write(b"this is not a protobuf \x00\x01\x02" * 10)
            f.flush()
            with self.assertRaises(coda.Error):
                coda.load(f.name)

    def test_bad_inputs_raise_not_crash(self):
        m = coda.load(str(MODELS / "cnn.onnx"))
        with self.assertRaises(coda.InvalidError):
            m.run({"nosuch": np.zeros((1, 1, 28, 28), np.float32)})
        with self.assertRaises(coda.Error):
            m.run(np.zeros((1, 3, 28, 28), np.float32))   # wrong channel count
        with self.assertRaises(coda.Error):
            m.run(np.zeros((28, 28), np.float32))         # wrong rank
        with self.assertRaises(coda.Error):
            m.run([np.zeros((1, 1, 28, 28), np.float32)] * 2)
        with self.assertRaises(TypeError):
            m.run(np.array(["a", "b"]))
        with self.assertRaises(TypeError):
            coda.load(42)
        with self.assertRaises(coda.InvalidError):
            m.inspect(batch=0)
        # the model still runs after all of that
        self.assertEqual(m.run(np.zeros((2, 1, 28, 28), np.float32))["output"].shape, (2, 10))

    def test_help_and_docstrings(self):
        for name in ("load", "inspect", "quantize", "evaluate", "map", "carbon", "explore", "results", "zoo",
                     "templates", "dataset"):
            self.assertTrue(getattr(coda, name).__doc__, name)
        for name in ("inspect", "layers", "run", "export", "nodes", "constants", "quantizable_layers"):
            self.assertTrue(getattr(coda.Model, name).__doc__, name)
        self.assertIn("coda.load", coda.__doc__)


if __name__ == "__main__":
    unittest.main()
