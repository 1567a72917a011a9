// coda.load, coda.Model (inspect, layers, run, export), coda.zoo, coda.dataset; the conversions the
// other parts share.
#include <cstring>
#include <type_traits>
#include <variant>
#include <filesystem>

#include "coda/core/error.h"
#include "coda/core/file_io.h"
#include "coda/datasets/fashion_mnist.h"
#include "coda/hw/arch_yaml.h"
#include "coda/hw/templates.h"
#include "coda/hw/timeloop_arch.h"
#include "coda/onnx/export.h"
#include "coda/onnx/import.h"
#include "coda/quant/ptq.h"
#include "coda/workload/extract.h"
#include "coda/zoo/zoo.h"
#include "coda_py.h"

namespace coda::py {

using namespace pybind11::literals;

std::string path_arg(const pyb::handle& h, const char* what) {
  if (pyb::isinstance<pyb::str>(h)) return h.cast<std::string>();
  if (pyb::hasattr(h, "__fspath__")) {
    pyb::object p = pyb::module_::import("os").attr("fspath")(h);
    if (pyb::isinstance<pyb::str>(p)) return p.cast<std::string>();
  }
  throw pyb::type_error(std::string(what) + ": expected a str or os.PathLike, got " +
                        pyb::str(pyb::type::of(h).attr("__name__")).cast<std::string>());
}

ModelPtr load_model(const std::string& spec) {
  auto m = std::make_shared<Model>();
  m->source = spec;
  {
    pyb::gil_scoped_release nogil;
    m->graph = spec.rfind("zoo:", 0) == 0 ? zoo::build_spec(spec) : onnx::import_file(spec);
    exec::prepare(m->graph);
  }
  if (spec.rfind("zoo:", 0) != 0) m->base_dir = std::filesystem::path(spec).parent_path().string();
  return m;
}

ModelPtr model_arg(const pyb::handle& h) {
  if (pyb::isinstance<Model>(h)) return h.cast<ModelPtr>();
  return load_model(path_arg(h, "model"));
}

pyb::array to_numpy(const Tensor& t) {
  if (!t.defined()) throw InternalError("to_numpy", "undefined tensor");
  return visit_dtype(t.dtype(), [&](auto tag) -> pyb::array {
    using T = typename decltype(tag)::type;
    return pyb::array_t<T>(t.shape(), static_cast<const T*>(t.raw()));  // copies
  });
}

namespace {

DType dtype_of_numpy(const pyb::dtype& d) {
  const char k = d.kind();
  const auto n = d.itemsize();
  if (k == 'f') return n == 4 ? DType::f32 : n == 8 ? DType::f64 : DType::undefined;
  if (k == 'b') return n == 1 ? DType::boolean : DType::undefined;
  if (k == 'i') return n == 1 ? DType::i8 : n == 2 ? DType::i16 : n == 4 ? DType::i32 : n == 8 ? DType::i64 : DType::undefined;
  if (k == 'u') return n == 1 ? DType::u8 : n == 2 ? DType::u16 : n == 4 ? DType::u32 : n == 8 ? DType::u64 : DType::undefined;
  return DType::undefined;
}

}  // namespace

Tensor to_tensor(const pyb::handle& h, DType want, const std::string& where) {
  pyb::module_ np = pyb::module_::import("numpy");
  pyb::object arr = np.attr("asarray")(h);
  if (want != DType::undefined && dtype_of_numpy(arr.attr("dtype").cast<pyb::dtype>()) != want)
    arr = arr.attr("astype")(dtype_name(want), "casting"_a = "same_kind");  // TypeError for e.g. float -> int
  pyb::array a = np.attr("ascontiguousarray")(arr).cast<pyb::array>();
  DType dt = dtype_of_numpy(a.dtype());
  if (dt == DType::undefined)
    throw pyb::type_error(where + ": numpy dtype " + pyb::str(a.dtype()).cast<std::string>() +
                          " is not one coda runs (float32/64, int8..64, uint8..64, bool)");
  Shape shape(a.shape(), a.shape() + a.ndim());
  Tensor t = Tensor::uninitialized(dt, shape);
  if (t.nbytes()) std::memcpy(t.raw(), a.data(), t.nbytes());
  return t;
}

pyb::object json_loads(const std::string& text) { return pyb::module_::import("json").attr("loads")(text); }

hw::Architecture load_arch(const std::string& arch, const std::optional<std::string>& ert,
                           const std::optional<std::string>& art) {
  std::error_code ec;
  bool looks_like_file = std::filesystem::exists(arch, ec) || arch.ends_with(".yaml") || arch.ends_with(".yml");
  hw::Architecture a = looks_like_file ? hw::load_any(read_file(arch), arch) : hw::build_template(arch);
  if (ert) hw::apply_ert(a, read_file(*ert), *ert, {});
  if (art) hw::apply_art(a, read_file(*art), *art);
  return a;
}

namespace {

// A value's shape: ints, the symbolic name where a dim is unknown but named, None where neither; None
// for an unknown rank.
pyb::object shape_of(const graph::Value& v) {
  if (!v.shape_known) return pyb::none();
  pyb::list dims;
  for (size_t i = 0; i < v.shape.size(); ++i) {
    if (v.shape[i] >= 0) dims.append(v.shape[i]);
    else if (i < v.dim_params.size() && !v.dim_params[i].empty()) dims.append(v.dim_params[i]);
    else dims.append(pyb::none());
  }
  return dims;
}

pyb::dict value_info(const graph::Value& v) {
  return pyb::dict("name"_a = v.name, "dtype"_a = v.dtype == DType::undefined ? pyb::object(pyb::none()) : pyb::str(dtype_name(v.dtype)),
                   "shape"_a = shape_of(v));
}

pyb::list inputs_of(const graph::Graph& g) {
  pyb::list l;
  for (graph::ValueId id : g.inputs())
    if (!g.value(id).is_constant()) l.append(value_info(g.value(id)));
  return l;
}

pyb::list outputs_of(const graph::Graph& g) {
  pyb::list l;
  for (graph::ValueId id : g.outputs()) l.append(value_info(g.value(id)));
  return l;
}

pyb::dict problem_dict(const workload::Problem& p) {
  pyb::dict dims, coefs;
  for (size_t i = 0; i < p.dims.size(); ++i) dims[pyb::str(p.dims[i])] = p.bounds[i];
  for (const auto& c : p.coefficients) coefs[pyb::str(c.name)] = c.value;
  pyb::list spaces;
  for (size_t i = 0; i < p.data_spaces.size(); ++i) {
    const auto& d = p.data_spaces[i];
    spaces.append(pyb::dict("name"_a = d.name, "read_write"_a = d.read_write, "precision_bits"_a = d.precision_bits,
                            "size"_a = p.data_space_size(static_cast<int>(i))));
  }
  return pyb::dict("name"_a = p.name, "dims"_a = dims, "coefficients"_a = coefs, "data_spaces"_a = spaces, "macs"_a = p.macs());
}

pyb::dict layer_dict(const workload::LayerWork& l) {
  return pyb::dict("name"_a = l.name, "op"_a = graph::op_name(l.op), "output_shape"_a = l.output_shape, "macs"_a = l.macs,
                   "params"_a = l.params, "vector_elems"_a = l.vector_elems, "vector_ops"_a = l.vector_ops,
                   "problem"_a = l.problem ? pyb::object(problem_dict(*l.problem)) : pyb::object(pyb::none()));
}

std::vector<workload::LayerWork> extract_layers(const Model& m, int64_t batch) {
  if (batch < 1) throw InvalidError("batch", format("%lld is not a positive batch size", (long long)batch));
  pyb::gil_scoped_release nogil;
  graph::Graph g = m.graph;
  exec::specialize(g, batch);
  return workload::extract(g);
}

pyb::list layers(const Model& m, int64_t batch) {
  pyb::list out;
  for (const auto& l : extract_layers(m, batch)) out.append(layer_dict(l));
  return out;
}

pyb::dict inspect(const Model& m, int64_t batch) {
  std::vector<workload::LayerWork> ls = extract_layers(m, batch);
  workload::WorkTotals t = workload::totals(ls);
  pyb::list layer_list;
  for (const auto& l : ls) layer_list.append(layer_dict(l));
  pyb::dict ops;
  for (const graph::Node& n : m.graph.nodes()) {
    pyb::str k(graph::op_name(n.op));
    ops[k] = (ops.contains(k) ? ops[k].cast<int64_t>() : 0) + 1;
  }
  return pyb::dict("model"_a = m.source, "name"_a = m.graph.name(), "opset"_a = m.graph.opset(), "batch"_a = batch,
                   "metadata"_a = m.graph.metadata(), "inputs"_a = inputs_of(m.graph), "outputs"_a = outputs_of(m.graph),
                   "nodes"_a = m.graph.nodes().size(), "ops"_a = ops, "layers"_a = layer_list,
                   "total"_a = pyb::dict("macs"_a = t.macs, "params"_a = t.params, "layers"_a = ls.size(),
                                         "vector_elems"_a = t.vector_elems, "vector_ops"_a = t.vector_ops));
}

pyb::dict run(Model& m, const pyb::object& inputs, int threads) {
  if (threads < 0) throw InvalidError("threads", format("%d is negative", threads));
  std::vector<std::string> names;
  for (graph::ValueId id : m.graph.inputs())
    if (!m.graph.value(id).is_constant()) names.push_back(m.graph.value(id).name);
  auto dtype_of_input = [&](const std::string& name) {
    graph::ValueId id = m.graph.find(name);
    return id == graph::kNoValue ? DType::undefined : m.graph.value(id).dtype;
  };
  std::map<std::string, Tensor> given;
  if (pyb::isinstance<pyb::dict>(inputs)) {
    for (auto [k, v] : inputs.cast<pyb::dict>()) {
      if (!pyb::isinstance<pyb::str>(k)) throw pyb::type_error("run: input names must be str");
      std::string name = k.cast<std::string>();
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw InvalidError("run", "the model has no input named '" + name + "' (inputs: " + list + ")");
      }
      given[name] = to_tensor(v, dtype_of_input(name), "input '" + name + "'");
    }
  } else {
    std::vector<pyb::object> seq;
    if (pyb::isinstance<pyb::list>(inputs) || pyb::isinstance<pyb::tuple>(inputs)) {
      for (auto v : inputs) seq.push_back(pyb::reinterpret_borrow<pyb::object>(v));
    } else {
      seq.push_back(inputs);
    }
    if (seq.size() != names.size())
      throw InvalidError("run", format("%zu inputs given, the model has %zu (give a dict {name: array} or a list in order)",
                                       seq.size(), names.size()));
    for (size_t i = 0; i < seq.size(); ++i)
      given[names[i]] = to_tensor(seq[i], dtype_of_input(names[i]), "input '" + names[i] + "'");
  }
  std::vector<Tensor> outs;
  std::vector<std::string> out_names;
  {
    pyb::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(m.run_mutex);
    if (!m.executor || m.executor_threads != threads) {
      m.executor = std::make_unique<exec::Executor>(m.graph, exec::ExecutorOptions{threads});
      m.executor_threads = threads;
    }
    outs = m.executor->run(given);
    out_names = m.executor->output_names();
  }
  pyb::dict result;
  for (size_t k = 0; k < outs.size(); ++k) result[pyb::str(out_names[k])] = to_numpy(outs[k]);
  return result;
}

void export_model(const Model& m, const std::string& path) {
  graph::Graph out = m.graph;
  auto enc = out.metadata().find("coda.encoder");
  if (enc != out.metadata().end() && !m.base_dir.empty()) {  // keep the encoder reachable from the output's folder
    std::filesystem::path src = std::filesystem::path(m.base_dir) / enc->second;
    std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
    enc->second = std::filesystem::relative(std::filesystem::absolute(src), dir).string();
  }
  pyb::gil_scoped_release nogil;
  onnx::export_file(out, path);
}

pyb::object attr_value(const graph::Attribute& a) {
  return std::visit(
      [](const auto& v) -> pyb::object {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Tensor>) return to_numpy(v);
        else return pyb::cast(v);
      },
      a.storage());
}

pyb::list nodes(const Model& m) {
  const graph::Graph& g = m.graph;
  auto names = [&](const std::vector<graph::ValueId>& ids) {
    pyb::list l;
    for (graph::ValueId id : ids) l.append(id == graph::kNoValue ? pyb::object(pyb::none()) : pyb::object(pyb::str(g.value(id).name)));
    return l;
  };
  pyb::list out;
  for (const graph::Node& n : g.nodes()) {
    pyb::dict attrs;
    for (const auto& [k, v] : n.attrs)
      if (k.empty() || k[0] != '_') attrs[pyb::str(k)] = attr_value(v);  // "_opset" and the like are coda's own
    out.append(pyb::dict("name"_a = n.name, "op"_a = graph::op_name(n.op), "inputs"_a = names(n.inputs),
                         "outputs"_a = names(n.outputs), "attrs"_a = attrs));
  }
  return out;
}

pyb::dict constants(const Model& m) {
  const graph::Graph& g = m.graph;
  std::vector<bool> used(g.num_values(), false);
  for (const graph::Node& n : g.nodes())
    for (graph::ValueId id : n.inputs)
      if (id != graph::kNoValue) used[static_cast<size_t>(id)] = true;
  for (graph::ValueId id : g.outputs()) used[static_cast<size_t>(id)] = true;
  pyb::dict out;
  for (size_t i = 0; i < g.num_values(); ++i) {
    const graph::Value& v = g.value(static_cast<graph::ValueId>(i));
    if (used[i] && v.is_constant()) out[pyb::str(v.name)] = to_numpy(*v.constant);
  }
  return out;
}

std::string repr(const Model& m) {
  std::string ins;
  for (graph::ValueId id : m.graph.inputs()) {
    const graph::Value& v = m.graph.value(id);
    if (v.is_constant()) continue;
    std::string dims;
    for (size_t i = 0; i < v.shape.size(); ++i)
      dims += (i ? "," : "") + (v.shape[i] >= 0 ? std::to_string(v.shape[i])
                                                : i < v.dim_params.size() && !v.dim_params[i].empty() ? v.dim_params[i] : "?");
    ins += (ins.empty() ? "" : ", ") + v.name + "[" + dims + "]";
  }
  return format("<coda.Model '%s'%s: %zu nodes, inputs %s>", m.source.c_str(), m.quantization.empty() ? "" : " (quantized)",
                m.graph.nodes().size(), ins.c_str());
}

}  // namespace

void register_model(pyb::module_& m) {
  pyb::class_<Model, ModelPtr>(m, "Model", R"doc(A model: an ONNX graph (imported or built by the zoo), prepared for running
(shapes inferred, constants folded). Made by coda.load() or coda.quantize().)doc")
      .def_readonly("source", &Model::source, "The .onnx path or zoo spec the model was loaded from (for a quantized model: its original).")
      .def_property_readonly("name", [](const Model& x) { return x.graph.name(); }, "The graph's name.")
      .def_property_readonly("opset", [](const Model& x) { return x.graph.opset(); }, "The ONNX opset.")
      .def_property_readonly("metadata", [](const Model& x) { return x.graph.metadata(); },
                             "The model's metadata_props (coda.task, coda.dataset, ...) as a dict.")
      .def_property_readonly("inputs", [](const Model& x) { return inputs_of(x.graph); },
                             "Runtime inputs: [{'name', 'dtype', 'shape'}]; a shape lists ints, symbolic names (str) or None.")
      .def_property_readonly("outputs", [](const Model& x) { return outputs_of(x.graph); }, "Outputs: [{'name', 'dtype', 'shape'}].")
      .def_property_readonly(
          "quantization", [](const Model& x) -> pyb::object { return x.quantization.empty() ? pyb::object(pyb::none()) : pyb::object(x.quantization); },
          "For a model made by coda.quantize(): {'method', 'weights', 'acts', 'calib', 'seconds'}; None otherwise.")
      .def("inspect", &inspect, "batch"_a = 1, R"doc(The model at a glance (what `coda inspect --json` prints, and more).

batch binds every unknown input dimension (default 1). Returns a dict: model, name, opset, batch,
metadata, inputs, outputs, nodes (count), ops ({op: count}), layers (as layers()), total ({macs,
params, layers, vector_elems, vector_ops}).)doc")
      .def("layers", &layers, "batch"_a = 1, R"doc(Every layer's work (workload.extract), in graph order: a list of dicts with
name, op, output_shape, macs, params, vector_elems, vector_ops and problem (compute layers: the
Timeloop problem {name, dims: {N: .., K: ..}, coefficients, data_spaces, macs}; None otherwise).)doc")
      .def("run", &run, "inputs"_a, "threads"_a = 0, R"doc(Runs the model with coda's reference executor.

inputs: a dict {input name: array}, a list of arrays in input order, or one array for a one-input
model; arrays are converted with numpy (cast to the input's dtype where numpy's 'same_kind' casting
allows). threads: 0 = all cores (results are identical at any count). Returns {output name:
numpy array}. Releases the GIL.)doc")
      .def("nodes", &nodes, R"doc(The graph's nodes in topological order: a list of {name, op, inputs, outputs (value names;
None for an omitted optional input), attrs (ONNX attributes as ints, floats, strings, lists or arrays)}.)doc")
      .def("constants", &constants, R"doc(The constant tensors the nodes read (initializers: weights, biases, quantization
scales and codes; and values folded to constants), as {value name: numpy array} (copies).)doc")
      .def("quantizable_layers", [](const Model& x) { return quant::quantizable_layers(x.graph); },
           "Names of the layers coda.quantize() quantizes (Conv, Gemm, MatMul), in order; a plan names layers by these.")
      .def("export", [](const Model& x, const pyb::object& path) { export_model(x, path_arg(path, "path")); }, "path"_a,
           "Writes the model as an ONNX file (a quantized model as its QDQ / QLinear graph, which ONNX Runtime runs).")
      .def("__repr__", &repr);

  m.def("load", [](const pyb::object& model) { return model_arg(model); }, "model"_a,
        R"doc(Loads a model: an .onnx file (str or os.PathLike), or "zoo:NAME[?key=value&...]" built by the
model zoo (see coda.zoo()), e.g. "zoo:bert-base?seq=64&layers=2". Returns a coda.Model.
Raises coda.IoError (missing file), coda.ParseError / UnsupportedError (bad or unsupported ONNX),
coda.InvalidError (unknown zoo model or parameter).)doc");
  m.def("inspect", [](const pyb::object& model, int64_t batch) { return inspect(*model_arg(model), batch); }, "model"_a,
        "batch"_a = 1, "coda.load(model).inspect(batch): see Model.inspect.");
  m.def("zoo", [] {
    pyb::dict d;
    for (const auto& n : zoo::names()) d[pyb::str(n)] = zoo::describe(n);
    return d;
  }, R"doc(The model zoo: {name: "<name>: <description> (params: key=default ...)"}; load one with
coda.load("zoo:NAME?key=value").)doc");
  m.def(
      "dataset",
      [](const std::string& name, const std::string& split, std::optional<int64_t> limit) {
        if (name != "fashion-mnist")
          throw InvalidError("dataset", "'" + name + "' is not a dataset coda reads as arrays (fashion-mnist)");
        datasets::ImageSet s;
        {
          pyb::gil_scoped_release nogil;
          s = datasets::load_fashion_mnist(split, limit.value_or(-1));
        }
        pyb::array_t<int64_t> labels(static_cast<pyb::ssize_t>(s.labels.size()));
        for (size_t i = 0; i < s.labels.size(); ++i) labels.mutable_at(static_cast<pyb::ssize_t>(i)) = s.labels[i];
        return pyb::make_tuple(to_numpy(s.images), labels);
      },
      "name"_a = "fashion-mnist", "split"_a = "test", "limit"_a = pyb::none(),
      R"doc(A dataset as numpy arrays: (images float32 [N,1,28,28] scaled to [0, 1], labels int64 [N]).
name: "fashion-mnist" (Debian's dataset-fashion-mnist); split: "train" or "test"; limit: the first N.)doc");
}

}  // namespace coda::py
