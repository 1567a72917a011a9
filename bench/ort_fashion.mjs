// Times ONNX Runtime on the Fashion-MNIST test set: node bench/ort_fashion.mjs MODEL.onnx THREADS [BATCH] [LIMIT]
// Prints one JSON line {model, samples, seconds, samples_per_s, top1}. ORT runs with its default
// (all) graph optimisations: the fastest ORT a user would get.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { gunzipSync } from 'zlib';
import path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ortDir = process.env.CODA_ORT_DIR || path.join(here, '..', 'third_party', 'ort');
const require = createRequire(path.join(ortDir, 'package.json'));
const ort = require('onnxruntime-node');

const [model, threadsArg, batchArg, limitArg] = process.argv.slice(2);
const threads = Number(threadsArg || 1), batch = Number(batchArg || 250), limit = Number(limitArg || 10000);
const dir = '/usr/share/datasets/fashion-mnist';
const img = gunzipSync(readFileSync(`${dir}/t10k-images-idx3-ubyte.gz`));
const lab = gunzipSync(readFileSync(`${dir}/t10k-labels-idx1-ubyte.gz`));
const n = Math.min(limit, img.readUInt32BE(4));
const pixels = new Float32Array(n * 784);
for (let i = 0; i < n * 784; ++i) pixels[i] = img[16 + i] / 255;

const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
});
const inName = session.inputNames[0], outName = session.outputNames[0];
let correct = 0;
const t0 = process.hrtime.bigint();
for (let lo = 0; lo < n; lo += batch) {
  const hi = Math.min(n, lo + batch);
  const x = new ort.Tensor('float32', pixels.subarray(lo * 784, hi * 784), [hi - lo, 1, 28, 28]);
  const y = (await session.run({ [inName]: x }))[outName].data;
  const c = y.length / (hi - lo);
  for (let r = 0; r < hi - lo; ++r) {
    let best = 0;
    for (let k = 1; k < c; ++k) if (y[r * c + k] > y[r * c + best]) best = k;
    if (best === lab[8 + lo + r]) ++correct;
  }
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ model, samples: n, seconds: s, samples_per_s: n / s, top1: correct / n }));
