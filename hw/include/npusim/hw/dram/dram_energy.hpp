// DRAM energy from a channel's command counts and standby residency, by Micron's power
// calculation method (TN-40-07 / TN-41-01) as DRAMPower applies it: each command's energy is
// its current above the standby current it replaces, times VDD, times its duration.
//   ACT+PRE  (IDD0 x nRC - (IDD3N x nRAS + IDD2N x (nRC - nRAS))) x VDD x tCK
//   RD       (IDD4R - IDD3N) x VDD x nBL x tCK          WR likewise with IDD4W
//   REF      (IDD5B - IDD3N) x VDD x nRFC x tCK
//   background  IDD3N x VDD x active-standby time + IDD2N x VDD x precharged-standby time
// Currents are per device, so every term is multiplied by the devices of a rank (the ranks
// are already in the counts). mA x V x ns = pJ.
#pragma once

#include "npusim/hw/dram/channel_controller.hpp"
#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::hw::dram {

struct DramEnergy {
  double act_pre_pj = 0, read_pj = 0, write_pj = 0, refresh_pj = 0;
  double active_standby_pj = 0, precharged_standby_pj = 0;
  double total_pj() const {
    return act_pre_pj + read_pj + write_pj + refresh_pj + active_standby_pj +
           precharged_standby_pj;
  }
  DramEnergy& operator+=(const DramEnergy& o);
};

/// Energy of one ACT/PRE pair, one RD, one WR, one REF, and of one rank-cycle in each standby
/// state (pJ), for a whole rank of devices.
struct DramEnergyPerEvent {
  double act_pre = 0, read = 0, write = 0, refresh = 0, active_standby = 0,
         precharged_standby = 0;
};

DramEnergyPerEvent dram_energy_per_event(const DramSpec& spec);
DramEnergy dram_energy(const DramSpec& spec, const ChannelStats& stats);

}  // namespace npusim::hw::dram
