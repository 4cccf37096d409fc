// Node-API addon: 2-D convolutions on oneDNN, computed in place on a caller's ArrayBuffer (the wasm
// backend's heap). Tensors are passed as byte offsets into that buffer, in tfjs's layouts: activations
// NHWC, filters HWIO. Primitives are built once per shape and kept per thread (each worker thread has
// its own Node-API environment, engine and OpenMP thread count).
#include <node_api.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// The geometry every call passes as an Int32Array, in this order.
enum Geometry {
  kBatch, kInHeight, kInWidth, kInChannels, kFilterHeight, kFilterWidth, kOutChannels,
  kOutHeight, kOutWidth, kStrideHeight, kStrideWidth, kDilationHeight, kDilationWidth,
  kPadTop, kPadLeft, kGeometrySize
};

struct Shape {
  int32_t g[kGeometrySize];
  memory::dims src() const { return {g[kBatch], g[kInChannels], g[kInHeight], g[kInWidth]}; }
  memory::dims weights() const {
    return {g[kOutChannels], g[kInChannels], g[kFilterHeight], g[kFilterWidth]};
  }
  memory::dims dst() const { return {g[kBatch], g[kOutChannels], g[kOutHeight], g[kOutWidth]}; }
  memory::dims strides() const { return {g[kStrideHeight], g[kStrideWidth]}; }
  // oneDNN counts dilation from 0 (no gaps), tfjs from 1.
  memory::dims dilates() const { return {g[kDilationHeight] - 1, g[kDilationWidth] - 1}; }
  memory::dims padLeft() const { return {g[kPadTop], g[kPadLeft]}; }
  // The bottom/right padding that makes oneDNN's output size formula give tfjs's output size (tfjs's own
  // padInfo can carry more for 'valid' with floor rounding, which never reaches the output).
  memory::dims padRight() const {
    auto pad = [](int32_t out, int32_t stride, int32_t filter, int32_t dilation, int32_t in, int32_t left) {
      return (out - 1) * stride + (filter - 1) * dilation + 1 - in - left;
    };
    return {pad(g[kOutHeight], g[kStrideHeight], g[kFilterHeight], g[kDilationHeight], g[kInHeight],
                g[kPadTop]),
            pad(g[kOutWidth], g[kStrideWidth], g[kFilterWidth], g[kDilationWidth], g[kInWidth],
                g[kPadLeft])};
  }
  size_t srcBytes() const { return 4ull * g[kBatch] * g[kInHeight] * g[kInWidth] * g[kInChannels]; }
  size_t weightsBytes() const {
    return 4ull * g[kFilterHeight] * g[kFilterWidth] * g[kInChannels] * g[kOutChannels];
  }
  size_t dstBytes() const { return 4ull * g[kBatch] * g[kOutHeight] * g[kOutWidth] * g[kOutChannels]; }
  size_t biasBytes() const { return 4ull * g[kOutChannels]; }
  std::string key(const char* kind, int flags) const {
    std::string k(kind);
    k.append(reinterpret_cast<const char*>(g), sizeof(g));
    k.push_back(static_cast<char>(flags));
    return k;
  }
};

// A tensor in the caller's layout over the heap, and (when the primitive wants another layout) the
// primitive's own copy with the reorder between them.
struct Operand {
  memory user;
  memory internal;
  dnnl::reorder toInternal;    // user -> internal, for inputs
  dnnl::reorder fromInternal;  // internal -> user, for outputs
  bool reordered = false;

  Operand(const dnnl::engine& engine, const memory::desc& userDesc, const memory::desc& wanted, bool output)
      : user(userDesc, engine, nullptr) {
    if (wanted != userDesc) {
      reordered = true;
      internal = memory(wanted, engine);
      if (output) fromInternal = dnnl::reorder(internal, user);
      else toInternal = dnnl::reorder(user, internal);
    }
  }
  const memory& forPrimitive() const { return reordered ? internal : user; }
};

struct Thread {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

struct Forward {
  dnnl::convolution_forward primitive;
  memory src, bias, dst;
  std::unique_ptr<Operand> weights;
};

struct BackwardData {
  dnnl::convolution_backward_data primitive;
  memory diffSrc, diffDst;
  std::unique_ptr<Operand> weights;
};

struct BackwardWeights {
  dnnl::convolution_backward_weights primitive;
  memory src, diffDst, diffBias;
  std::unique_ptr<Operand> diffWeights;
};

// Per Node-API environment (main thread or one worker thread): its engine, stream and primitives.
struct Instance {
  Thread thread;
  std::unordered_map<std::string, std::unique_ptr<Forward>> forward;
  std::unordered_map<std::string, std::unique_ptr<BackwardData>> backwardData;
  std::unordered_map<std::string, std::unique_ptr<BackwardWeights>> backwardWeights;
};

memory::desc activations(const memory::dims& dims) { return memory::desc(dims, dt::f32, tag::nhwc); }
memory::desc filters(const memory::dims& dims) { return memory::desc(dims, dt::f32, tag::hwio); }
memory::desc anyLayout(const memory::dims& dims) { return memory::desc(dims, dt::f32, tag::any); }
memory::desc vectorOf(int32_t size) { return memory::desc({size}, dt::f32, tag::x); }

dnnl::convolution_forward::desc forwardDesc(const Shape& s, bool withBias) {
  return dnnl::convolution_forward::desc(
      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, activations(s.src()),
      anyLayout(s.weights()), withBias ? vectorOf(s.g[kOutChannels]) : memory::desc(),
      activations(s.dst()), s.strides(), s.dilates(), s.padLeft(), s.padRight());
}

// ---- Node-API plumbing ----

struct Args {
  napi_env env;
  size_t count;
  napi_value values[8];
};

bool failed(napi_env env, napi_status status, const char* what) {
  if (status == napi_ok) return false;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, nullptr, what);
  return true;
}

bool getArgs(napi_env env, napi_callback_info info, size_t expected, Args& args, void** data) {
  args.env = env;
  args.count = 8;
  if (failed(env, napi_get_cb_info(env, info, &args.count, args.values, nullptr, data), "bad call"))
    return false;
  if (args.count < expected) {
    napi_throw_type_error(env, nullptr, "onednn-conv: too few arguments");
    return false;
  }
  return true;
}

bool getHeap(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  bool isBuffer = false;
  napi_is_arraybuffer(env, value, &isBuffer);
  if (!isBuffer) {
    napi_throw_type_error(env, nullptr, "onednn-conv: the heap must be an ArrayBuffer");
    return false;
  }
  void* raw = nullptr;
  if (failed(env, napi_get_arraybuffer_info(env, value, &raw, length), "onednn-conv: heap")) return false;
  *data = static_cast<uint8_t*>(raw);
  return true;
}

bool getShape(napi_env env, napi_value value, Shape& shape) {
  napi_typedarray_type type;
  size_t length = 0;
  void* raw = nullptr;
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  if (!isTyped || failed(env, napi_get_typedarray_info(env, value, &type, &length, &raw, nullptr, nullptr),
                         "onednn-conv: geometry") ||
      type != napi_int32_array || length != kGeometrySize) {
    napi_throw_type_error(env, nullptr, "onednn-conv: the geometry must be an Int32Array of 15");
    return false;
  }
  std::memcpy(shape.g, raw, sizeof(shape.g));
  for (int32_t v : shape.g) {
    if (v < 0) {
      napi_throw_range_error(env, nullptr, "onednn-conv: negative geometry");
      return false;
    }
  }
  return true;
}

// A byte offset into the heap for `bytes` bytes, or nullptr (with a JS error) when it does not fit; -1
// means "absent" where `optional`.
bool getPointer(napi_env env, napi_value value, uint8_t* heap, size_t heapLength, size_t bytes,
                bool optional, void** out) {
  int64_t offset = 0;
  if (failed(env, napi_get_value_int64(env, value, &offset), "onednn-conv: offset must be a number"))
    return false;
  if (optional && offset < 0) {
    *out = nullptr;
    return true;
  }
  if (offset < 0 || static_cast<size_t>(offset) + bytes > heapLength) {
    napi_throw_range_error(env, nullptr, "onednn-conv: tensor outside the heap");
    return false;
  }
  *out = heap + offset;
  return true;
}

bool getFlag(napi_env env, napi_value value) {
  bool flag = false;
  napi_get_value_bool(env, value, &flag);
  return flag;
}

// Runs `body`, turning oneDNN's exceptions into JS errors.
template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    body();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

Instance* instanceOf(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Instance*>(data);
}

// conv2d(heap, geometry, src, weights, bias (-1: none), dst, relu)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, 7, a, nullptr)) return nullptr;
  Shape s;
  uint8_t* heap;
  size_t length;
  void *src, *weights, *bias, *dst;
  if (!getHeap(env, a.values[0], &heap, &length) || !getShape(env, a.values[1], s) ||
      !getPointer(env, a.values[2], heap, length, s.srcBytes(), false, &src) ||
      !getPointer(env, a.values[3], heap, length, s.weightsBytes(), false, &weights) ||
      !getPointer(env, a.values[4], heap, length, s.biasBytes(), true, &bias) ||
      !getPointer(env, a.values[5], heap, length, s.dstBytes(), false, &dst))
    return nullptr;
  const bool relu = getFlag(env, a.values[6]);
  Instance* in = instanceOf(env);
  return guarded(env, [&] {
    auto& slot = in->forward[s.key("fwd", (bias != nullptr) | (relu << 1))];
    const dnnl::engine& engine = in->thread.engine;
    if (!slot) {
      dnnl::post_ops ops;
      if (relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      dnnl::convolution_forward::primitive_desc pd(forwardDesc(s, bias != nullptr), attr, engine);
      slot = std::make_unique<Forward>(Forward{
          dnnl::convolution_forward(pd), memory(pd.src_desc(), engine, nullptr),
          bias ? memory(pd.bias_desc(), engine, nullptr) : memory(),
          memory(pd.dst_desc(), engine, nullptr),
          std::make_unique<Operand>(engine, filters(s.weights()), pd.weights_desc(), false)});
    }
    Forward& f = *slot;
    dnnl::stream& stream = in->thread.stream;
    f.src.set_data_handle(src);
    f.dst.set_data_handle(dst);
    f.weights->user.set_data_handle(weights);
    // Weights change every training step, so a reordered copy is made on every call (a few µs at c3's sizes).
    if (f.weights->reordered) f.weights->toInternal.execute(stream, f.weights->user, f.weights->internal);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, f.src},
                                         {DNNL_ARG_WEIGHTS, f.weights->forPrimitive()},
                                         {DNNL_ARG_DST, f.dst}};
    if (bias) {
      f.bias.set_data_handle(bias);
      args.insert({DNNL_ARG_BIAS, f.bias});
    }
    f.primitive.execute(stream, args);
    stream.wait();
  });
}

// conv2dBackpropInput(heap, geometry, diffDst, weights, diffSrc)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, 5, a, nullptr)) return nullptr;
  Shape s;
  uint8_t* heap;
  size_t length;
  void *diffDst, *weights, *diffSrc;
  if (!getHeap(env, a.values[0], &heap, &length) || !getShape(env, a.values[1], s) ||
      !getPointer(env, a.values[2], heap, length, s.dstBytes(), false, &diffDst) ||
      !getPointer(env, a.values[3], heap, length, s.weightsBytes(), false, &weights) ||
      !getPointer(env, a.values[4], heap, length, s.srcBytes(), false, &diffSrc))
    return nullptr;
  Instance* in = instanceOf(env);
  return guarded(env, [&] {
    auto& slot = in->backwardData[s.key("bwd-data", 0)];
    const dnnl::engine& engine = in->thread.engine;
    if (!slot) {
      dnnl::convolution_forward::primitive_desc hint(forwardDesc(s, false), engine);
      dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, activations(s.src()),
                                              anyLayout(s.weights()), activations(s.dst()), s.strides(),
                                              s.dilates(), s.padLeft(), s.padRight());
      dnnl::convolution_backward_data::primitive_desc pd(d, engine, hint);
      slot = std::make_unique<BackwardData>(BackwardData{
          dnnl::convolution_backward_data(pd), memory(pd.diff_src_desc(), engine, nullptr),
          memory(pd.diff_dst_desc(), engine, nullptr),
          std::make_unique<Operand>(engine, filters(s.weights()), pd.weights_desc(), false)});
    }
    BackwardData& b = *slot;
    dnnl::stream& stream = in->thread.stream;
    b.diffSrc.set_data_handle(diffSrc);
    b.diffDst.set_data_handle(diffDst);
    b.weights->user.set_data_handle(weights);
    if (b.weights->reordered) b.weights->toInternal.execute(stream, b.weights->user, b.weights->internal);
    b.primitive.execute(stream, {{DNNL_ARG_DIFF_DST, b.diffDst},
                                 {DNNL_ARG_WEIGHTS, b.weights->forPrimitive()},
                                 {DNNL_ARG_DIFF_SRC, b.diffSrc}});
    stream.wait();
  });
}

// conv2dBackpropFilter(heap, geometry, src, diffDst, diffWeights, diffBias (-1: none))
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, 6, a, nullptr)) return nullptr;
  Shape s;
  uint8_t* heap;
  size_t length;
  void *src, *diffDst, *diffWeights, *diffBias;
  if (!getHeap(env, a.values[0], &heap, &length) || !getShape(env, a.values[1], s) ||
      !getPointer(env, a.values[2], heap, length, s.srcBytes(), false, &src) ||
      !getPointer(env, a.values[3], heap, length, s.dstBytes(), false, &diffDst) ||
      !getPointer(env, a.values[4], heap, length, s.weightsBytes(), false, &diffWeights) ||
      !getPointer(env, a.values[5], heap, length, s.biasBytes(), true, &diffBias))
    return nullptr;
  Instance* in = instanceOf(env);
  return guarded(env, [&] {
    auto& slot = in->backwardWeights[s.key("bwd-weights", diffBias != nullptr)];
    const dnnl::engine& engine = in->thread.engine;
    if (!slot) {
      const bool withBias = diffBias != nullptr;
      dnnl::convolution_forward::primitive_desc hint(forwardDesc(s, withBias), engine);
      dnnl::convolution_backward_weights::desc d(
          dnnl::algorithm::convolution_direct, activations(s.src()), anyLayout(s.weights()),
          withBias ? vectorOf(s.g[kOutChannels]) : memory::desc(), activations(s.dst()), s.strides(),
          s.dilates(), s.padLeft(), s.padRight());
      dnnl::convolution_backward_weights::primitive_desc pd(d, engine, hint);
      slot = std::make_unique<BackwardWeights>(BackwardWeights{
          dnnl::convolution_backward_weights(pd), memory(pd.src_desc(), engine, nullptr),
          memory(pd.diff_dst_desc(), engine, nullptr),
          withBias ? memory(pd.diff_bias_desc(), engine, nullptr) : memory(),
          std::make_unique<Operand>(engine, filters(s.weights()), pd.diff_weights_desc(), true)});
    }
    BackwardWeights& b = *slot;
    dnnl::stream& stream = in->thread.stream;
    b.src.set_data_handle(src);
    b.diffDst.set_data_handle(diffDst);
    b.diffWeights->user.set_data_handle(diffWeights);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, b.src},
                                         {DNNL_ARG_DIFF_DST, b.diffDst},
                                         {DNNL_ARG_DIFF_WEIGHTS, b.diffWeights->forPrimitive()}};
    if (diffBias) {
      b.diffBias.set_data_handle(diffBias);
      args.insert({DNNL_ARG_DIFF_BIAS, b.diffBias});
    }
    b.primitive.execute(stream, args);
    if (b.diffWeights->reordered)
      b.diffWeights->fromInternal.execute(stream, b.diffWeights->internal, b.diffWeights->user);
    stream.wait();
  });
}

// setThreads(n): OpenMP threads for this thread's oneDNN calls (an OpenMP setting per calling thread).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, 1, a, nullptr)) return nullptr;
  int32_t n = 0;
  if (failed(env, napi_get_value_int32(env, a.values[0], &n), "onednn-conv: threads must be a number"))
    return nullptr;
  if (n < 1) {
    napi_throw_range_error(env, nullptr, "onednn-conv: threads must be >= 1");
    return nullptr;
  }
  omp_set_num_threads(n);
  return nullptr;
}

const char* isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

// info(): { version, isa, threads }
napi_value Info(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  std::string version =
      std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value out, versionValue, isaValue, threadsValue;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, version.c_str(), NAPI_AUTO_LENGTH, &versionValue);
  napi_create_string_utf8(env, isaName(dnnl::get_effective_cpu_isa()), NAPI_AUTO_LENGTH, &isaValue);
  napi_create_int32(env, omp_get_max_threads(), &threadsValue);
  napi_set_named_property(env, out, "version", versionValue);
  napi_set_named_property(env, out, "isa", isaValue);
  napi_set_named_property(env, out, "threads", threadsValue);
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  auto* instance = new Instance();
  napi_set_instance_data(
      env, instance, [](napi_env, void* data, void*) { delete static_cast<Instance*>(data); }, nullptr);
  // One OpenMP thread per calling thread unless setThreads says otherwise: tfjs's wasm backend is one
  // thread, and data-parallel workers each call in from their own thread.
  omp_set_num_threads(1);
  const napi_property_descriptor methods[] = {
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}
