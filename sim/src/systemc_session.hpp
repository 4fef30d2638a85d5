// The one SystemC simulation a process may run, whichever top it elaborates: the first call
// claims it and quiets SystemC's informational and deprecation messages (sc_stop at the
// program's end, trace time units: not news to the user); a second call — of either
// simulator — throws std::logic_error naming `who`.
#pragma once

#include <stdexcept>
#include <string>

#include <systemc>

namespace npusim::sim {

inline void begin_systemc_session(const char* who) {
  static bool claimed = false;
  if (claimed) throw std::logic_error(std::string(who) + ": SystemC allows one simulation per process");
  claimed = true;
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
}

}  // namespace npusim::sim
