// Shared pieces of the Python module `coda` (python/*.cpp): the Model object, argument and result
// conversions. The module is thin: it parses Python arguments, calls the library, converts results
// to plain Python data (dicts, lists, numpy arrays).
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "coda/core/tensor.h"
#include "coda/exec/executor.h"
#include "coda/graph/graph.h"
#include "coda/hw/architecture.h"

namespace coda::py {

namespace pyb = pybind11;

// A loaded model: the prepared graph (imported or built, shapes inferred, constants folded) and where
// it came from. The executor is built on first run() and reused (one call at a time).
struct Model {
  std::string source;    // the .onnx path or zoo spec given to load(), or the model it was quantized from
  std::string base_dir;  // directory of the .onnx file (an encoder named in its metadata is relative to it)
  graph::Graph graph;
  pyb::dict quantization;  // quantize(): the method and formats; empty otherwise

  std::mutex run_mutex;
  std::unique_ptr<exec::Executor> executor;
  int executor_threads = -1;
};
using ModelPtr = std::shared_ptr<Model>;

// os.PathLike or str -> str; TypeError otherwise.
std::string path_arg(const pyb::handle& h, const char* what);
// A Model, or a model spec (.onnx path / "zoo:NAME[?k=v]") loaded on the spot.
ModelPtr model_arg(const pyb::handle& h);
ModelPtr load_model(const std::string& spec);

// Tensors <-> numpy arrays (copies). to_tensor casts (numpy "same_kind") to `want` when it is defined.
pyb::array to_numpy(const Tensor& t);
Tensor to_tensor(const pyb::handle& h, DType want = DType::undefined, const std::string& where = "input");

// A JSON text (from the library's JSON writers) as Python data.
pyb::object json_loads(const std::string& text);

// An architecture argument: a YAML file (coda's schema or Timeloop's) or a template spec, with
// optional Accelergy ERT / ART tables; as `coda map --arch` resolves it.
hw::Architecture load_arch(const std::string& arch, const std::optional<std::string>& ert,
                           const std::optional<std::string>& art);

// Registration of each part of the module.
void register_errors(pyb::module_& m);
void register_model(pyb::module_& m);
void register_quant(pyb::module_& m);
void register_hardware(pyb::module_& m);
void register_explore(pyb::module_& m);

}  // namespace coda::py
