#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw::pe {

Dataflow parse_dataflow(const std::string& t) {
  if (t == "ws") return Dataflow::WS;
  if (t == "os") return Dataflow::OS;
  if (t == "is") return Dataflow::IS;
  throw std::invalid_argument("expected ws, os or is, got '" + t + "'");
}
const char* to_string(Dataflow d) {
  switch (d) {
    case Dataflow::WS: return "ws";
    case Dataflow::OS: return "os";
    case Dataflow::IS: return "is";
  }
  return "?";
}
Precision parse_precision(const std::string& t) {
  if (t == "int8") return Precision::Int8;
  if (t == "int16") return Precision::Int16;
  if (t == "fp16") return Precision::Fp16;
  throw std::invalid_argument("expected int8, int16 or fp16, got '" + t + "'");
}
const char* to_string(Precision p) {
  switch (p) {
    case Precision::Int8: return "int8";
    case Precision::Int16: return "int16";
    case Precision::Fp16: return "fp16";
  }
  return "?";
}
int element_bytes(Precision p) { return p == Precision::Int8 ? 1 : 2; }
PeTiming parse_pe_timing(const std::string& t) {
  if (t == "native") return PeTiming::Native;
  if (t == "scalesim") return PeTiming::ScaleSim;
  throw std::invalid_argument("expected native or scalesim, got '" + t + "'");
}
const char* to_string(PeTiming t) { return t == PeTiming::Native ? "native" : "scalesim"; }
OsDrain parse_os_drain(const std::string& t) {
  if (t == "overlapped") return OsDrain::Overlapped;
  if (t == "serial") return OsDrain::Serial;
  throw std::invalid_argument("expected overlapped or serial, got '" + t + "'");
}
const char* to_string(OsDrain d) { return d == OsDrain::Overlapped ? "overlapped" : "serial"; }

TileCounters& TileCounters::operator+=(const TileCounters& o) {
  cycles += o.cycles;
  macs += o.macs;
  pe_cycles_available += o.pe_cycles_available;
  input_reads += o.input_reads;
  weight_reads += o.weight_reads;
  output_writes += o.output_writes;
  psum_reads += o.psum_reads;
  rf_reads += o.rf_reads;
  rf_writes += o.rf_writes;
  folds += o.folds;
  return *this;
}

TileCounters TileCounters::operator*(std::int64_t n) const {
  TileCounters t = *this;
  t.cycles *= n;
  t.macs *= n;
  t.pe_cycles_available *= n;
  t.input_reads *= n;
  t.weight_reads *= n;
  t.output_writes *= n;
  t.psum_reads *= n;
  t.rf_reads *= n;
  t.rf_writes *= n;
  t.folds *= n;
  return t;
}

}  // namespace npusim::hw::pe
