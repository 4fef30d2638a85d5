// Constants while importing ONNX: initializer and Constant contents, and the shape
// arithmetic folded to constants (Importer::fold_constant).
#include <algorithm>
#include <cmath>
#include <map>

#include "onnx_importer.hpp"

namespace npusim::workloads::onnx_detail {

/// A constant tensor: its shape, and its int64 or float contents when its raw data is at
/// most `max_raw_bytes` (the typed fields are always read).
Value tensor_value(const onnx::TensorProto& t, Value::Kind kind, std::size_t max_raw_bytes) {
  Value v;
  v.kind = kind;
  v.dims.assign(t.dims().begin(), t.dims().end());
  v.dims_exact = true;
  for (auto x : t.int64_data()) v.ints.push_back(x);
  for (auto x : t.float_data()) v.floats.push_back(x);
  const std::string& raw = t.raw_data();
  if (raw.size() > max_raw_bytes) return v;
  auto decode = [&](auto sample, auto& out) {
    for (std::size_t i = 0; i + sizeof(sample) <= raw.size(); i += sizeof(sample)) {
      std::memcpy(&sample, raw.data() + i, sizeof(sample));  // raw data is little endian
      out.push_back(sample);
    }
  };
  if (t.data_type() == onnx::TensorProto::INT64) decode(std::int64_t{}, v.ints);
  if (t.data_type() == onnx::TensorProto::FLOAT) decode(float{}, v.floats);
  return v;
}

bool Importer::fold_shaped_constant(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if ((op != "ConstantOfShape" && op != "Slice" && op != "Transpose") || n.input_size() < 1) return false;
  const auto in = values_.find(n.input(0));
  if (in == values_.end() || in->second.kind == Value::Layer) return false;
  const Value& data = in->second;
  auto count_of = [&](const std::vector<std::int64_t>& dims) {
    std::int64_t count = 1;
    for (std::int64_t d : dims)
      if (d < 0 || __builtin_mul_overflow(count, d, &count) || count > 1000000)
        fail(n, "a constant of more than 1,000,000 elements, or of a negative dimension");
    return count;
  };
  Value out;
  out.kind = Value::Const;
  out.dims_exact = true;
  if (op == "ConstantOfShape") {  // a tensor of `value` (default a float 0) of the given shape
    if (data.ints.empty() && !(data.dims_exact && data.dims == std::vector<std::int64_t>{0})) return false;
    out.dims = data.ints;
    const std::size_t count = static_cast<std::size_t>(count_of(out.dims));
    const auto* a = attr(n, "value");
    const Value fill = a ? tensor_value(a->t(), Value::Const, 64) : Value{};
    if (!fill.ints.empty()) out.ints.assign(count, fill.ints[0]);
    else out.floats.assign(count, fill.floats.empty() ? 0.0 : fill.floats[0]);
    values_[n.output(0)] = out;
    return true;
  }
  // Slice and Transpose of a constant of known shape with more than one axis, and Slice of
  // a constant vector (a shape vector: F.interpolate(size=skip.shape[2:])), whose folds may
  // know only its length.
  const bool ints = !data.ints.empty();
  const std::size_t size = ints ? data.ints.size() : data.floats.size();
  const bool contents = size > 0;
  const bool matrix = data.dims_exact && data.dims.size() >= 2;
  if (!matrix && !(op == "Slice" && contents)) return false;
  const std::vector<std::int64_t> in_dims = matrix ? data.dims : std::vector<std::int64_t>{static_cast<std::int64_t>(size)};
  const std::size_t rank = in_dims.size();
  if (contents && static_cast<std::int64_t>(size) != count_of(in_dims)) fail(n, "a constant whose contents do not match its shape");
  std::vector<std::int64_t> stride(rank, 1);  // row-major strides of the input
  for (std::size_t k = rank - 1; k > 0; --k) stride[k - 1] = stride[k] * in_dims[k];
  // Output element i reads input element source(i), by the output's row-major index.
  std::vector<std::int64_t> out_dims = in_dims, out_stride(rank);  // input stride per output axis
  std::int64_t offset = 0;
  if (op == "Transpose") {
    std::vector<std::int64_t> perm = ints_attr(n, "perm");
    if (perm.empty())
      for (std::size_t k = rank; k-- > 0;) perm.push_back(static_cast<std::int64_t>(k));
    std::vector<bool> seen(rank, false);
    if (perm.size() != rank) fail(n, fmt::format("perm has {} axes, the constant {}", perm.size(), rank));
    for (std::size_t k = 0; k < rank; ++k) {
      const std::int64_t a = axis_of(n, perm[k], static_cast<int>(rank));
      if (seen[static_cast<std::size_t>(a)]) fail(n, "perm repeats an axis");
      seen[static_cast<std::size_t>(a)] = true;
      out_dims[k] = in_dims[static_cast<std::size_t>(a)];
      out_stride[k] = stride[static_cast<std::size_t>(a)];
    }
  } else {  // Slice (opset 10+: starts, ends, axes, steps as inputs)
    auto vec = [&](int i) {
      if (n.input_size() <= i || n.input(i).empty()) return std::vector<std::int64_t>{};
      const Value& v = constant(n, i);
      if (v.ints.empty()) fail(n, fmt::format("input {} must be a constant of known integers", i));
      return v.ints;
    };
    const std::vector<std::int64_t> starts = vec(1), ends = vec(2);
    std::vector<std::int64_t> axes = vec(3), steps = vec(4);
    if (starts.empty() || starts.size() != ends.size()) fail(n, "starts and ends must be constants of one length");
    if (axes.empty())
      for (std::size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<std::int64_t>(k));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (axes.size() != starts.size() || steps.size() != starts.size()) fail(n, "starts, ends, axes and steps differ in length");
    out_stride = stride;
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const auto a = static_cast<std::size_t>(axis_of(n, axes[k], static_cast<int>(rank)));
      const std::int64_t dim = in_dims[a], step = steps[k];
      if (step == 0) fail(n, "a Slice step of 0");
      auto clamp = [&](std::int64_t i) {  // numpy's rules: negative from the end, then clamped
        if (i < 0) i += dim;
        return step > 0 ? std::clamp<std::int64_t>(i, 0, dim) : std::clamp<std::int64_t>(i, -1, dim - 1);
      };
      const std::int64_t begin = clamp(starts[k]), end = clamp(ends[k]);
      const std::int64_t len = step > 0 ? std::max<std::int64_t>(0, (end - begin + step - 1) / step)
                                        : std::max<std::int64_t>(0, (begin - end - step - 1) / -step);
      out_dims[a] = len;
      offset += (len > 0 ? begin : 0) * stride[a];
      out_stride[a] = stride[a] * step;
    }
  }
  out.dims = out_dims;
  if (contents) {
    const std::int64_t count = count_of(out_dims);
    std::vector<std::int64_t> index(rank, 0);
    for (std::int64_t i = 0; i < count; ++i) {
      std::int64_t src = offset;
      for (std::size_t k = 0; k < rank; ++k) src += index[k] * out_stride[k];
      if (ints) out.ints.push_back(data.ints[static_cast<std::size_t>(src)]);
      else out.floats.push_back(data.floats[static_cast<std::size_t>(src)]);
      for (std::size_t k = rank; k-- > 0;) {  // the next row-major index
        if (++index[k] < out_dims[k]) break;
        index[k] = 0;
      }
    }
  }
  values_[n.output(0)] = out;
  return true;
}

bool Importer::fold_constant(const onnx::NodeProto& n) {
  if (fold_shaped_constant(n)) return true;
  const std::string& op = n.op_type();
  static const std::set<std::string> kFoldable = {"Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast",
                                                  "Identity", "Add", "Sub", "Mul", "Div", "Mod", "Range", "Reshape", "Slice"};
  // Ops on constants whose results npusim need not know (a detection decode's grid).
  static const std::set<std::string> kOpaque = {"Expand", "ConstantOfShape", "Equal", "Where", "Tile", "Pow"};
  if ((!kFoldable.count(op) && !kOpaque.count(op)) || n.input_size() < 1) return false;
  static const std::map<std::string, int> kInputs = {{"Gather", 2}, {"Add", 2}, {"Sub", 2}, {"Mul", 2}, {"Div", 2},
                                                     {"Mod", 2}, {"Range", 3}, {"Reshape", 2}, {"Expand", 2}, {"Equal", 2},
                                                     {"Where", 3}, {"Tile", 2}, {"Pow", 2}, {"Slice", 3}};
  if (const auto k = kInputs.find(op); k != kInputs.end() && n.input_size() < k->second)
    fail(n, fmt::format("expected {} inputs, got {}", k->second, n.input_size()));
  if (op == "Shape") {  // of a constant whose shape is known (a decode grid's)
    const auto it = values_.find(n.input(0));
    if (it != values_.end() && it->second.kind != Value::Layer) {
      const std::vector<std::int64_t>& dims = it->second.dims;
      if (!it->second.dims_exact || std::any_of(dims.begin(), dims.end(), [](std::int64_t d) { return d < 0; }))
        fail(n, "the shape of this constant is not known");
      Value out;
      out.kind = Value::Const;
      out.ints = dims;
      out.dims = {static_cast<std::int64_t>(dims.size())};
      out.dims_exact = true;
      values_[n.output(0)] = out;
      return true;
    }
  }
  if (op == "Reshape") {  // of a constant with known contents only (weights keep their own path)
    const auto it = values_.find(n.input(0));
    if (it == values_.end() || it->second.kind == Value::Layer || (it->second.ints.empty() && it->second.floats.empty()))
      return false;
  }
  // Every input a known constant, except Shape's, which reads a tensor's static shape.
  bool known = !kOpaque.count(op);
  for (int i = op == "Shape" ? 1 : 0; i < n.input_size(); ++i) {
    const auto it = values_.find(n.input(i));
    if (n.input(i).empty() && op == "Where") return false;
    if (n.input(i).empty()) continue;  // an optional input left out
    if (it == values_.end() || it->second.kind == Value::Layer) return false;
    if (it->second.ints.empty() && it->second.floats.empty()) known = false;
  }
  if (!known) {  // a constant without contents: fine as an operand, an error where they are read
    if (op == "Shape") return false;
    Value out;
    out.kind = Value::Const;
    for (const auto& o : n.output()) values_[o] = out;
    return true;
  }
  Value out;
  out.kind = Value::Const;
  if (op == "Shape") {
    const Value& v = tensor(n, 0);
    const Shape& s = graph_.layer(v.layer).out;
    if (v.tokens()) out.ints = token_dims(v);
    else if (v.rank == 4) out.ints = {s.n, s.c, s.h, s.w};
    else if (v.rank == 2) out.ints = {s.n, s.c * s.h * s.w};
    else fail(n, fmt::format("the shape of a rank-{} view is not known", v.rank));
  } else if (op == "Range") {
    const Value &a = values_.at(n.input(0)), &b = values_.at(n.input(1)), &d = values_.at(n.input(2));
    const bool ints = !a.ints.empty() && !b.ints.empty() && !d.ints.empty();
    const double start = ints ? static_cast<double>(a.ints[0]) : a.floats.empty() ? 0 : a.floats[0];
    const double limit = ints ? static_cast<double>(b.ints[0]) : b.floats.empty() ? 0 : b.floats[0];
    const double delta = ints ? static_cast<double>(d.ints[0]) : d.floats.empty() ? 0 : d.floats[0];
    const double count = delta != 0 ? std::ceil((limit - start) / delta) : -1;
    if (!(count >= 0 && count <= 1e6)) fail(n, "a Range of more than 1,000,000 values, or with a zero step");
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i) {
      if (ints) out.ints.push_back(a.ints[0] + i * d.ints[0]);
      else out.floats.push_back(start + static_cast<double>(i) * delta);
    }
  } else if (op == "Reshape") {
    const Value& data = values_.at(n.input(0));
    out.ints = data.ints;
    out.floats = data.floats;
    const std::int64_t count = static_cast<std::int64_t>(std::max(data.ints.size(), data.floats.size()));
    std::vector<std::int64_t> dims = values_.at(n.input(1)).ints;
    std::int64_t known = 1, unknown = -1;
    for (std::size_t k = 0; k < dims.size(); ++k) {
      if (dims[k] == 0 && k < data.dims.size()) dims[k] = data.dims[k];
      if (dims[k] == -1 && unknown < 0) unknown = static_cast<std::int64_t>(k);
      else if (dims[k] < 1 || __builtin_mul_overflow(known, dims[k], &known)) fail(n, "a reshape of a constant to an invalid shape");
    }
    if (unknown >= 0 && known > 0 && count % known == 0) dims[static_cast<std::size_t>(unknown)] = count / known;
    if (unknown >= 0 ? count % known != 0 : known != count) fail(n, "a reshape of a constant to a different size");
    out.dims = dims;
    out.dims_exact = true;
    values_[n.output(0)] = out;
    return true;
  } else if (op == "Gather") {
    const Value& data = values_.at(n.input(0));
    const Value& index = values_.at(n.input(1));
    if (int_attr(n, "axis", 0) != 0 || data.ints.empty()) fail(n, "only a Gather of a constant vector is supported");
    for (std::int64_t i : index.ints) {
      const std::int64_t k = i < 0 ? i + static_cast<std::int64_t>(data.ints.size()) : i;
      if (k < 0 || k >= static_cast<std::int64_t>(data.ints.size())) fail(n, fmt::format("index {} is out of range", i));
      out.ints.push_back(data.ints[static_cast<std::size_t>(k)]);
    }
  } else if (op == "Concat") {
    for (int i = 0; i < n.input_size(); ++i) {
      const Value& v = values_.at(n.input(i));
      out.ints.insert(out.ints.end(), v.ints.begin(), v.ints.end());
      out.floats.insert(out.floats.end(), v.floats.begin(), v.floats.end());
    }
  } else if (n.input_size() == 1 || op == "Unsqueeze" || op == "Squeeze") {  // Cast, Identity, (Un)squeeze
    out.ints = values_.at(n.input(0)).ints;
    out.floats = values_.at(n.input(0)).floats;
  } else {  // Add, Sub, Mul, Div, Mod, with a one-element operand broadcast
    const Value& a = values_.at(n.input(0));
    const Value& b = values_.at(n.input(1));
    const bool ints = !a.ints.empty() && !b.ints.empty();
    const std::size_t na = ints ? a.ints.size() : a.floats.size(), nb = ints ? b.ints.size() : b.floats.size();
    if (na == 0 || nb == 0 || (na != nb && na != 1 && nb != 1)) fail(n, "only arithmetic on known constants is supported");
    for (std::size_t i = 0; i < std::max(na, nb); ++i) {
      const std::size_t ia = na == 1 ? 0 : i, ib = nb == 1 ? 0 : i;
      if (ints) {
        const std::int64_t x = a.ints[ia], y = b.ints[ib];
        std::int64_t r = 0;
        bool overflow = false;
        if (op == "Add") overflow = __builtin_add_overflow(x, y, &r);
        else if (op == "Sub") overflow = __builtin_sub_overflow(x, y, &r);
        else if (op == "Mul") overflow = __builtin_mul_overflow(x, y, &r);
        else if (y == 0 || (x == INT64_MIN && y == -1)) fail(n, "a division by zero or out of range");
        else if (op == "Div") r = x / y;
        else {  // Mod: fmod=1 keeps the dividend's sign (C), fmod=0 the divisor's (Python, Swin's padding)
          r = x % y;
          if (int_attr(n, "fmod", 0) == 0 && r != 0 && (r < 0) != (y < 0)) r += y;
        }
        if (overflow) fail(n, "shape arithmetic out of the 64-bit range");
        out.ints.push_back(r);
      } else {
        const double x = a.floats[ia], y = b.floats[ib];
        if (op == "Mod" && int_attr(n, "fmod", 0) == 0) fail(n, "a Mod of floats needs fmod=1");
        out.floats.push_back(op == "Add"   ? x + y
                             : op == "Sub" ? x - y
                             : op == "Mul" ? x * y
                             : op == "Div" ? x / y
                                           : std::fmod(x, y));
      }
    }
  }
  out.dims = {static_cast<std::int64_t>(std::max(out.ints.size(), out.floats.size()))};
  out.dims_exact = op == "Range";  // a range is 1-D; the other folds keep only the length...
  if (std::vector<std::int64_t> dims; !out.dims_exact && exact_fold_dims(n, out.dims[0], dims)) {  // ...unless theirs are known
    out.dims = dims;
    out.dims_exact = true;
  }
  values_[n.output(0)] = out;
  return true;
}

bool Importer::exact_fold_dims(const onnx::NodeProto& n, std::int64_t elements, std::vector<std::int64_t>& dims) const {
  const std::string& op = n.op_type();
  std::vector<const Value*> in;
  for (int i = 0; i < n.input_size(); ++i) {
    const auto it = values_.find(n.input(i));
    if (it == values_.end() || !it->second.dims_exact) return false;
    in.push_back(&it->second);
  }
  if (in.empty()) return false;
  if (op == "Cast" || op == "Identity") {
    dims = in[0]->dims;
  } else if (op == "Concat") {  // of vectors: a vector
    for (const Value* v : in)
      if (v->dims.size() != 1) return false;
    dims = {elements};
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    std::vector<std::int64_t> axes = ints_attr(n, "axes");
    if (axes.empty() && in.size() > 1) axes = in[1]->ints;  // opset 13
    dims = in[0]->dims;
    const auto rank = static_cast<std::int64_t>(dims.size() + (op == "Unsqueeze" ? axes.size() : 0));
    for (auto& a : axes) a = a < 0 ? a + rank : a;
    std::sort(axes.begin(), axes.end());
    if (op == "Unsqueeze") {
      for (std::int64_t a : axes) {
        if (a < 0 || a > static_cast<std::int64_t>(dims.size())) return false;
        dims.insert(dims.begin() + a, 1);
      }
    } else {
      if (axes.empty()) return false;  // every unit axis: left to the length-only rule
      for (auto a = axes.rbegin(); a != axes.rend(); ++a) {
        if (*a < 0 || *a >= static_cast<std::int64_t>(dims.size()) || dims[static_cast<std::size_t>(*a)] != 1) return false;
        dims.erase(dims.begin() + *a);
      }
    }
  } else if (op == "Gather") {  // of a vector: the index's shape
    if (in.size() < 2 || in[0]->dims.size() != 1) return false;
    dims = in[1]->dims;
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Mod") {  // numpy broadcasting
    if (in.size() != 2) return false;
    const std::vector<std::int64_t>&a = in[0]->dims, &b = in[1]->dims;
    dims.assign(std::max(a.size(), b.size()), 1);
    for (std::size_t k = 0; k < dims.size(); ++k) {
      const std::int64_t x = k < dims.size() - a.size() ? 1 : a[k - (dims.size() - a.size())];
      const std::int64_t y = k < dims.size() - b.size() ? 1 : b[k - (dims.size() - b.size())];
      if (x != y && x != 1 && y != 1) return false;
      dims[k] = x == 1 ? y : x;
    }
  } else {
    return false;
  }
  std::int64_t count = 1;
  for (std::int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(count, d, &count)) return false;
  return count == elements;  // agrees with the elements the fold computed
}

}  // namespace npusim::workloads::onnx_detail
