#include "npusim/mapping/layer_schedule.hpp"

namespace npusim::mapping {

const char* to_string(LoopOrder o) {
  switch (o) {
    case LoopOrder::KCS: return "KCS";
    case LoopOrder::KSC: return "KSC";
    case LoopOrder::CKS: return "CKS";
    case LoopOrder::CSK: return "CSK";
    case LoopOrder::SKC: return "SKC";
    case LoopOrder::SCK: return "SCK";
  }
  return "KSC";
}

bool parse_loop_order(const std::string& text, LoopOrder& out) {
  for (LoopOrder o : kLoopOrders)
    if (text == to_string(o)) {
      out = o;
      return true;
    }
  return false;
}

const char* to_string(Objective o) {
  switch (o) {
    case Objective::Traffic: return "traffic";
    case Objective::Latency: return "latency";
    case Objective::Energy: return "energy";
    case Objective::Edp: return "edp";
  }
  return "traffic";
}

bool parse_objective(const std::string& text, Objective& out) {
  for (Objective o : {Objective::Traffic, Objective::Latency, Objective::Energy, Objective::Edp})
    if (text == to_string(o)) {
      out = o;
      return true;
    }
  return false;
}

}  // namespace npusim::mapping
