// The Python module `coda`: its docstring, its exception classes, and the registration of each part.
#include <Python.h>

#include "coda/core/error.h"
#include "coda_py.h"

namespace coda::py {

namespace {

// coda.Error and one subclass per coda::ErrorKind, indexed by the kind. Created once, never freed
// (they live as long as the interpreter).
PyObject* g_error = nullptr;
PyObject* g_kinds[5] = {};

PyObject* utf8(const std::string& s) { return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"); }

const char* kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::Parse: return "parse";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Io: return "io";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

// Raises the Python class of e's kind with the one-line message "<where>: <what>" and the attributes
// where, message and kind.
void raise(const Error& e) {
  PyObject* cls = g_kinds[static_cast<int>(e.kind())];
  if (!cls) cls = g_error;
  PyObject* msg = utf8(e.what());
  if (!msg) return;  // the decoding error stays set
  PyObject* inst = PyObject_CallOneArg(cls, msg);
  Py_DECREF(msg);
  if (!inst) return;
  PyObject* where = utf8(e.where());
  PyObject* message = utf8(e.message());
  PyObject* kind = PyUnicode_FromString(kind_name(e.kind()));
  if (where && message && kind) {
    PyObject_SetAttrString(inst, "where", where);
    PyObject_SetAttrString(inst, "message", message);
    PyObject_SetAttrString(inst, "kind", kind);
  }
  Py_XDECREF(where);
  Py_XDECREF(message);
  Py_XDECREF(kind);
  PyErr_Clear();  // a failed attribute set must not mask the exception
  PyErr_SetObject(cls, inst);
  Py_DECREF(inst);
}

PyObject* new_class(pyb::module_& m, const char* name, PyObject* bases, const char* doc) {
  std::string full = std::string("coda.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(full.c_str(), doc, bases, nullptr);
  if (!cls) throw pyb::error_already_set();
  m.attr(name) = pyb::reinterpret_borrow<pyb::object>(cls);
  return cls;  // one reference kept for good
}

}  // namespace

void register_errors(pyb::module_& m) {
  g_error = new_class(m, "Error", PyExc_Exception,
                      "A user's bad input (file, model, argument) or an internal failure, raised by every coda function.\n\n"
                      "str(e) is the one-line message '<where>: <what>' (what the coda CLI prints after 'coda: error: ').\n"
                      "Attributes: where (a file, node, layer or argument), message (without the location), kind\n"
                      "('parse', 'unsupported', 'invalid', 'io' or 'internal'). Subclasses: ParseError, UnsupportedError,\n"
                      "InvalidError (these are also ValueError), IoError (also OSError), InternalError (a bug in coda).");
  auto bases = [](PyObject* a, PyObject* b) {
    PyObject* t = b ? PyTuple_Pack(2, a, b) : PyTuple_Pack(1, a);
    if (!t) throw pyb::error_already_set();
    return t;
  };
  struct Def {
    ErrorKind kind;
    const char* name;
    PyObject* extra;
    const char* doc;
  };
  const Def defs[] = {
      {ErrorKind::Parse, "ParseError", PyExc_ValueError, "A file or text that cannot be read as what it claims to be."},
      {ErrorKind::Unsupported, "UnsupportedError", PyExc_ValueError,
       "Valid input using a feature coda does not implement (an op, an attribute value)."},
      {ErrorKind::Invalid, "InvalidError", PyExc_ValueError,
       "Well-formed but inconsistent input: a bad argument value, mismatched shapes, an unknown name."},
      {ErrorKind::Io, "IoError", PyExc_OSError, "A file that cannot be opened, read or written."},
      {ErrorKind::Internal, "InternalError", nullptr, "A broken invariant inside coda: a bug, never the user's fault."},
  };
  for (const Def& d : defs) {
    PyObject* b = bases(g_error, d.extra);
    g_kinds[static_cast<int>(d.kind)] = new_class(m, d.name, b, d.doc);
    Py_DECREF(b);
  }
  pyb::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      raise(e);
    }
  });
}

}  // namespace coda::py

PYBIND11_MODULE(coda, m) {
  m.doc() = R"doc(coda: co-design of deep-learning models and the accelerators that run them.

The Python face of the coda library: every function calls the same C++ code as the `coda` command
and returns plain Python data (dicts, lists, numpy arrays).

  import coda
  m = coda.load("models/cnn.onnx")            # or "zoo:resnet18", "zoo:bert-base?seq=64&layers=2"
  m.inspect()["total"]                        # {'macs': 4241152, 'params': 421642, ...}
  m.run({"input": images})                    # {output name: numpy array}
  q, report = coda.quantize(m, weights="int4/ch", acts="uint8", method="gptq", calib=256)
  coda.evaluate(q, limit=1000)                # {'metric': 'top1', 'value': 0.9, ...}
  coda.map(m, arch="eyeriss")["total"]        # cycles, energy, utilization, area
  coda.carbon(arch="gemmini", model=m, preset="catransformers")["total_g"]
  coda.explore("space.yaml", db="results.db", budget=16)["front"]
  coda.results("results.db", pareto=True)

Models: load(), Model (inspect, layers, run, export), zoo(), dataset().
Quantization: quantize(), evaluate(). Hardware: map(), carbon(), templates().
Exploration: explore(), results(). Errors: Error and its subclasses.
Long calls (run, quantize, evaluate, map, carbon, explore) release the GIL.
See docs/python.md.)doc";
  m.attr("__version__") = CODA_VERSION;
  coda::py::register_errors(m);
  coda::py::register_model(m);
  coda::py::register_quant(m);
  coda::py::register_hardware(m);
  coda::py::register_explore(m);
}
