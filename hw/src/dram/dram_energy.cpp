#include "npusim/hw/dram/dram_energy.hpp"

namespace npusim::hw::dram {

DramEnergy& DramEnergy::operator+=(const DramEnergy& o) {
  act_pre_pj += o.act_pre_pj;
  read_pj += o.read_pj;
  write_pj += o.write_pj;
  refresh_pj += o.refresh_pj;
  active_standby_pj += o.active_standby_pj;
  precharged_standby_pj += o.precharged_standby_pj;
  return *this;
}

DramEnergyPerEvent dram_energy_per_event(const DramSpec& spec) {
  const DramPower& p = spec.power;
  const DramTiming& t = spec.timing;
  const double tck = t.tCK_ns();
  const double devices = spec.org.devices_per_rank();
  DramEnergyPerEvent e;
  e.act_pre = (p.IDD0 * t.nRC - (p.IDD3N * t.nRAS + p.IDD2N * (t.nRC - t.nRAS))) * p.VDD * tck *
              devices;
  e.read = (p.IDD4R - p.IDD3N) * p.VDD * t.nBL * tck * devices;
  e.write = (p.IDD4W - p.IDD3N) * p.VDD * t.nBL * tck * devices;
  e.refresh = (p.IDD5B - p.IDD3N) * p.VDD * t.nRFC * tck * devices;
  e.active_standby = p.IDD3N * p.VDD * tck * devices;
  e.precharged_standby = p.IDD2N * p.VDD * tck * devices;
  return e;
}

DramEnergy dram_energy(const DramSpec& spec, const ChannelStats& s) {
  const DramEnergyPerEvent e = dram_energy_per_event(spec);
  DramEnergy out;
  out.act_pre_pj = e.act_pre * static_cast<double>(s.count(DramCommand::ACT));
  out.read_pj = e.read * static_cast<double>(s.count(DramCommand::RD));
  out.write_pj = e.write * static_cast<double>(s.count(DramCommand::WR));
  out.refresh_pj = e.refresh * static_cast<double>(s.count(DramCommand::REF));
  out.active_standby_pj = e.active_standby * static_cast<double>(s.active_standby_cycles);
  out.precharged_standby_pj =
      e.precharged_standby * static_cast<double>(s.precharged_standby_cycles);
  return out;
}

}  // namespace npusim::hw::dram
