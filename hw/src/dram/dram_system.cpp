#include "npusim/hw/dram/dram_system.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace npusim::hw::dram {

DramSystem::DramSystem(const DramSpec& spec, const ControllerConfig& config,
                       const std::string& mapping, CommandObserver* observer)
    : spec_(spec),
      mapping_(spec.org, mapping),
      total_bytes_(spec.org.total_bytes()),
      burst_bytes_(static_cast<std::uint64_t>(spec.org.burst_bytes())) {
  for (int c = 0; c < spec.org.channels; ++c)
    channels_.push_back(std::make_unique<ChannelController>(spec, config, c, observer));
}

void DramSystem::throw_beyond_capacity(std::uint64_t address) const {
  throw DramSpecError(fmt::format("address {:#x} is beyond the {} MiB of the {} memory", address,
                                  total_bytes_ >> 20, spec_.standard));
}

double DramReport::row_hit_rate() const {
  const std::uint64_t n = row_hits + row_misses + row_conflicts;
  return n ? static_cast<double>(row_hits) / static_cast<double>(n) : 0.0;
}

DramReport DramSystem::report(std::uint64_t end) {
  DramReport r;
  r.standard = spec_.standard;
  r.tck_ns = spec_.timing.tCK_ns();
  r.peak_gbps = spec_.peak_gbps();
  for (auto& ch : channels_) end = std::max(end, ch->stats().last_cycle);
  r.cycles = end;
  ChannelStats all;
  for (auto& ch : channels_) {
    ch->finish(end);
    all += ch->stats();
    const DramEnergy e = dram_energy(spec_, ch->stats());
    r.channel_energy.push_back(e);
    r.energy += e;
  }
  r.requests = all.requests_in;
  r.reads = all.reads_done;
  r.writes = all.writes_done;
  r.bytes_read = all.bytes_read;
  r.bytes_written = all.bytes_written;
  r.row_hits = all.row_hits;
  r.row_misses = all.row_misses;
  r.row_conflicts = all.row_conflicts;
  for (int k = 0; k < 5; ++k) r.commands[k] = all.commands[k];
  if (r.reads) r.read_latency_mean_cycles = static_cast<double>(all.read_latency_sum) / r.reads;
  r.read_latency_p50 = all.read_latency_quantile(0.5);
  r.read_latency_p99 = all.read_latency_quantile(0.99);
  r.read_latency_max = all.read_latency_max;
  if (end > 0) {
    const double seconds = static_cast<double>(end) * r.tck_ns * 1e-9;
    r.bandwidth_gbps = static_cast<double>(r.bytes_read + r.bytes_written) / seconds / 1e9;
    r.mean_queue_occupancy =
        static_cast<double>(all.queue_occupancy_integral) / static_cast<double>(end) /
        channels_.size();
  }
  return r;
}

nlohmann::json DramReport::to_json() const {
  using nlohmann::json;
  auto energy_json = [](const DramEnergy& e) {
    return json{{"act_pre", e.act_pre_pj},
                {"read", e.read_pj},
                {"write", e.write_pj},
                {"refresh", e.refresh_pj},
                {"active_standby", e.active_standby_pj},
                {"precharged_standby", e.precharged_standby_pj},
                {"total", e.total_pj()}};
  };
  json channels = json::array();
  for (const DramEnergy& e : channel_energy) channels.push_back(energy_json(e));
  json j;
  j["standard"] = standard;
  j["cycles"] = cycles;
  j["tck_ns"] = tck_ns;
  j["time_ns"] = static_cast<double>(cycles) * tck_ns;
  j["requests"] = requests;
  j["reads"] = reads;
  j["writes"] = writes;
  j["bytes_read"] = bytes_read;
  j["bytes_written"] = bytes_written;
  j["bandwidth_gbps"] = bandwidth_gbps;
  j["peak_gbps"] = peak_gbps;
  j["bandwidth_pct_of_peak"] = peak_gbps > 0 ? 100.0 * bandwidth_gbps / peak_gbps : 0.0;
  j["read_latency_ns"] = {{"mean", read_latency_mean_cycles * tck_ns},
                          {"p50", static_cast<double>(read_latency_p50) * tck_ns},
                          {"p99", static_cast<double>(read_latency_p99) * tck_ns},
                          {"max", static_cast<double>(read_latency_max) * tck_ns}};
  j["read_latency_cycles"] = {{"mean", read_latency_mean_cycles},
                              {"p50", read_latency_p50},
                              {"p99", read_latency_p99},
                              {"max", read_latency_max}};
  j["row_hit_rate"] = row_hit_rate();
  j["row_hits"] = row_hits;
  j["row_misses"] = row_misses;
  j["row_conflicts"] = row_conflicts;
  j["commands"] = {{"ACT", commands[0]}, {"PRE", commands[1]}, {"RD", commands[2]},
                   {"WR", commands[3]},  {"REF", commands[4]}};
  j["mean_queue_occupancy"] = mean_queue_occupancy;
  j["energy_pj"] = energy_json(energy);
  j["energy_pj"]["per_channel"] = channels;
  return j;
}

}  // namespace npusim::hw::dram
