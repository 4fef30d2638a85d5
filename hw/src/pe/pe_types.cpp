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

}  // namespace npusim::hw::pe
