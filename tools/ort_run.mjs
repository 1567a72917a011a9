#!/usr/bin/env node
// ort_run.mjs: runs an ONNX model in ONNX Runtime (CPU, graph optimizations off, one thread) as a
// reference oracle for coda, with .npy files in and out.
//
//   node tools/ort_run.mjs MODEL.onnx OUT_DIR [NAME=]IN.npy ...
//
// Inputs without NAME= go to the session's inputs in order. Output k is written to OUT_DIR/output_<k>.npy
// and stdout gets one JSON object: {"outputs": [{"index", "name", "type", "dims", "file"}, ...]}.
// onnxruntime-node is loaded from <repo>/third_party/ort/node_modules/onnxruntime-node (installed by
// scripts/install-deps.sh); CODA_ORT_DIR overrides it (either that package folder or a folder holding
// node_modules/onnxruntime-node). Errors print one line `ort_run: error: ...` and exit 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

class UsageError extends Error {}

// numpy descr <-> ONNX Runtime tensor type and typed array.
const DTYPES = [
  { descr: '<f4', ort: 'float32', array: Float32Array },
  { descr: '<f8', ort: 'float64', array: Float64Array },
  { descr: '<i8', ort: 'int64', array: BigInt64Array },
  { descr: '<i4', ort: 'int32', array: Int32Array },
  { descr: '<i2', ort: 'int16', array: Int16Array },
  { descr: '|i1', ort: 'int8', array: Int8Array },
  { descr: '|u1', ort: 'uint8', array: Uint8Array },
  { descr: '<u2', ort: 'uint16', array: Uint16Array },
  { descr: '<u4', ort: 'uint32', array: Uint32Array },
  { descr: '<u8', ort: 'uint64', array: BigUint64Array },
  { descr: '|b1', ort: 'bool', array: Uint8Array },
];

function dtypeOfDescr(descr, file) {
  // One-byte types may carry any byte-order mark; wider ones must be little-endian.
  const d = DTYPES.find((t) => t.descr.slice(1) === descr.slice(1) &&
    (t.descr[0] === '|' ? '|<>='.includes(descr[0]) : '<='.includes(descr[0])));
  if (!d) throw new UsageError(`${file}: unsupported dtype '${descr}'`);
  return d;
}

// Reads a .npy file (format 1.0/2.0/3.0, C order) into {dtype, dims, data}.
export function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new UsageError(`${file}: not a .npy file`);
  const major = buf[6];
  if (![1, 2, 3].includes(major)) throw new UsageError(`${file}: unsupported .npy version ${major}.${buf[7]}`);
  const lenSize = major === 1 ? 2 : 4;
  const headerLen = lenSize === 2 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const dataAt = 8 + lenSize + headerLen;
  if (buf.length < dataAt) throw new UsageError(`${file}: truncated header`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', 8 + lenSize, dataAt);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new UsageError(`${file}: cannot parse header ${header.trim()}`);
  if (fortran[1] === 'True') throw new UsageError(`${file}: fortran_order True is not supported`);
  const dtype = dtypeOfDescr(descr[1], file);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+L?$/.test(s)) throw new UsageError(`${file}: bad shape (${shape[1]})`);
    return Number.parseInt(s, 10);
  });
  const count = dims.reduce((a, b) => a * b, 1);
  const nbytes = count * dtype.array.BYTES_PER_ELEMENT;
  if (!Number.isSafeInteger(nbytes) || buf.length - dataAt !== nbytes) {
    throw new UsageError(`${file}: shape (${dims}) needs ${nbytes} data bytes, file has ${buf.length - dataAt}`);
  }
  // Copy into a fresh, aligned ArrayBuffer.
  const bytes = buf.buffer.slice(buf.byteOffset + dataAt, buf.byteOffset + dataAt + nbytes);
  const data = new dtype.array(bytes);
  if (dtype.ort === 'bool') for (let i = 0; i < data.length; ++i) data[i] = data[i] ? 1 : 0;
  return { dtype, dims, data };
}

// Writes a typed array as .npy, byte for byte as numpy.save would.
export function writeNpy(file, ortType, dims, data) {
  const dtype = DTYPES.find((t) => t.ort === ortType);
  if (!dtype) throw new UsageError(`output type '${ortType}' cannot be written as .npy`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${dtype.descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  if (dims.length > 0) header += ' '.repeat(21 - String(dims[0]).length);
  let lenSize = 2;
  let pad = 64 - ((6 + 2 + lenSize + header.length + 1) % 64);
  if (header.length + 1 + pad > 65535) {
    lenSize = 4;
    pad = 64 - ((6 + 2 + lenSize + header.length + 1) % 64);
  }
  header += ' '.repeat(pad) + '\n';
  const prefix = Buffer.alloc(8 + lenSize);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = lenSize === 2 ? 1 : 2;
  prefix[7] = 0;
  if (lenSize === 2) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  let body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (ortType === 'bool') body = Buffer.from(Array.from(data, (v) => (v ? 1 : 0)));
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}

function loadOrt() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const override = process.env.CODA_ORT_DIR;
  const candidates = override
    ? [path.join(override, 'node_modules', 'onnxruntime-node'), override]
    : [path.join(here, '..', 'third_party', 'ort', 'node_modules', 'onnxruntime-node')];
  const dir = candidates.find((c) => fs.existsSync(path.join(c, 'package.json')));
  if (!dir) {
    throw new UsageError(`onnxruntime-node not found at ${candidates.join(' or ')} ` +
      '(run scripts/install-deps.sh, or set CODA_ORT_DIR)');
  }
  return createRequire(import.meta.url)(dir);
}

// Pairs "[NAME=]file.npy" arguments with the session's input names.
function assignInputs(args, inputNames) {
  const feeds = {};
  let next = 0;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    let name;
    let file = arg;
    if (eq > 0 && inputNames.includes(arg.slice(0, eq))) {
      name = arg.slice(0, eq);
      file = arg.slice(eq + 1);
    } else {
      while (next < inputNames.length && inputNames[next] in feeds) ++next;
      if (next >= inputNames.length) throw new UsageError(`too many inputs: the model takes ${JSON.stringify(inputNames)}`);
      name = inputNames[next++];
    }
    if (name in feeds) throw new UsageError(`input '${name}' given twice`);
    feeds[name] = file;
  }
  const missing = inputNames.filter((n) => !(n in feeds));
  if (missing.length) throw new UsageError(`missing inputs ${JSON.stringify(missing)} (model takes ${JSON.stringify(inputNames)})`);
  return feeds;
}

async function main(argv) {
  if (argv.length < 2) throw new UsageError('usage: node tools/ort_run.mjs MODEL.onnx OUT_DIR [NAME=]IN.npy ...');
  if (os.endianness() !== 'LE') throw new UsageError('a little-endian host is required');
  const [model, outDir, ...inputArgs] = argv;
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'disabled',
    executionProviders: ['cpu'],
    executionMode: 'sequential',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const files = assignInputs(inputArgs, session.inputNames);
  const feeds = {};
  for (const [name, file] of Object.entries(files)) {
    const { dtype, dims, data } = readNpy(file);
    feeds[name] = new ort.Tensor(dtype.ort, data, dims);
  }
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, { recursive: true });
  const outputs = session.outputNames.map((name, index) => {
    const t = results[name];
    const file = path.join(outDir, `output_${index}.npy`);
    writeNpy(file, t.type, t.dims, t.data);
    return { index, name, type: t.type, dims: Array.from(t.dims), file };
  });
  process.stdout.write(JSON.stringify({ outputs }) + '\n');
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`ort_run: error: ${e instanceof UsageError ? e.message : (e && e.message) || e}\n`);
    process.exit(2);
  });
}
