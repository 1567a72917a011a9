#include "coda/onnx/proto_io.h"

#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace coda::onnx {

namespace {

// Copies a repeated proto field into the tensor, converting each element.
template <class T, class Field> void copy_field(const Field& f, Tensor& t) {
  T* d = static_cast<T*>(t.raw());
  for (int64_t i = 0; i < t.numel(); ++i) d[i] = static_cast<T>(f.Get(static_cast<int>(i)));
}

}  // namespace

Tensor from_proto(const ::onnx::TensorProto& p, const std::string& where) {
  std::string w = where + (p.name().empty() ? "" : ": tensor '" + p.name() + "'");
  if (p.data_location() == ::onnx::TensorProto::EXTERNAL)
    throw UnsupportedError(w, "tensors with external data are not supported");
  if (p.has_segment()) throw UnsupportedError(w, "segmented tensors are not supported");
  DType dt = dtype_from_onnx(p.data_type());
  if (dt == DType::undefined)
    throw UnsupportedError(w, format("element type %d (%s) is not supported", p.data_type(),
                                     ::onnx::TensorProto_DataType_Name(p.data_type()).c_str()));
  Shape shape;
  int64_t numel = 1;
  for (int64_t d : p.dims()) {
    if (d < 0) throw ParseError(w, format("negative dimension %lld", static_cast<long long>(d)));
    if (d > 0 && numel > std::numeric_limits<int64_t>::max() / d) throw ParseError(w, "dimensions overflow");
    numel *= d;
    shape.push_back(d);
  }
  size_t esize = dtype_size(dt);
  if (numel > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(esize))
    throw ParseError(w, format("shape %s is too large: its byte size overflows", shape_str(shape).c_str()));
  // Check the data's size before allocating anything of the claimed shape.
  if (p.has_raw_data()) {
    if (p.raw_data().size() != static_cast<size_t>(numel) * esize)
      throw ParseError(w, format("raw_data has %zu bytes, shape %s needs %lld", p.raw_data().size(),
                                 shape_str(shape).c_str(), static_cast<long long>(numel * static_cast<int64_t>(esize))));
    Tensor t(dt, shape);
    if (numel) std::memcpy(t.raw(), p.raw_data().data(), t.nbytes());
    if (dt == DType::boolean) {  // normalise bytes to 0/1
      auto* b = static_cast<uint8_t*>(t.raw());
      for (int64_t i = 0; i < numel; ++i) b[i] = b[i] != 0;
    }
    return t;
  }
  int64_t have = 0;
  switch (dt) {
    case DType::f32: have = p.float_data_size(); break;
    case DType::f64: have = p.double_data_size(); break;
    case DType::i64: have = p.int64_data_size(); break;
    case DType::u32: case DType::u64: have = p.uint64_data_size(); break;
    default: have = p.int32_data_size(); break;
  }
  if (have != numel)
    throw ParseError(w, format("has %lld values, shape %s needs %lld", static_cast<long long>(have),
                               shape_str(shape).c_str(), static_cast<long long>(numel)));
  Tensor t(dt, shape);
  switch (dt) {
    case DType::f32: copy_field<float>(p.float_data(), t); break;
    case DType::f64: copy_field<double>(p.double_data(), t); break;
    case DType::i64: copy_field<int64_t>(p.int64_data(), t); break;
    case DType::u32: copy_field<uint32_t>(p.uint64_data(), t); break;
    case DType::u64: copy_field<uint64_t>(p.uint64_data(), t); break;
    case DType::i32: copy_field<int32_t>(p.int32_data(), t); break;
    case DType::i16: copy_field<int16_t>(p.int32_data(), t); break;
    case DType::u16: copy_field<uint16_t>(p.int32_data(), t); break;
    case DType::i8: copy_field<int8_t>(p.int32_data(), t); break;
    case DType::u8: copy_field<uint8_t>(p.int32_data(), t); break;
    case DType::boolean: {
      bool* d = t.data<bool>();
      for (int64_t i = 0; i < numel; ++i) d[i] = p.int32_data(static_cast<int>(i)) != 0;
      break;
    }
    default: throw UnsupportedError(w, "element type not supported");
  }
  return t;
}

void to_proto(const Tensor& t, const std::string& name, ::onnx::TensorProto* p) {
  p->set_name(name);
  p->set_data_type(dtype_onnx_code(t.dtype()));
  for (int64_t d : t.shape()) p->add_dims(d);
  p->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
}

}  // namespace coda::onnx
