#include "npusim/hw/dataflow/offchip_port.hpp"

#include <algorithm>

namespace npusim::hw::dataflow {

DramPort::DramPort(const ArchConfig& arch, dram::CommandObserver* observer)
    : dram_(std::make_unique<dram::DramTlmTarget>("offchip_dram", arch_dram_spec(arch), arch_controller_config(arch),
                                                  arch.dram.mapping, observer)),
      dma_(std::make_unique<npu::DmaEngine>("offchip_dma", arch.dma.burst_bytes, arch.dma.outstanding)) {
  dma_->socket.bind(dram_->socket);
}

void DramPort::transfer(const npu::DmaTransfer& t) {
  if (t.bytes == 0) return;
  npu::DmaEngine::Job job;
  job.transfer = &t;
  dma_->submit(job);
  dma_->wait_done(job);
  count(t);
}

HostLinkPort::HostLinkPort(const OffchipConfig& config) : config_(config) {}

void HostLinkPort::transfer(const npu::DmaTransfer& t) {
  if (t.bytes == 0) return;
  sc_core::sc_time& free = free_[t.is_write ? 1 : 0];
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time start = std::max(now, free);
  // GB/s = bytes per ns.
  const sc_core::sc_time busy(static_cast<double>(t.bytes) / config_.link_gbytes_per_s, sc_core::SC_NS);
  free = start + busy;
  sc_core::wait(free + sc_core::sc_time(config_.link_latency_ns, sc_core::SC_NS) - now);
  count(t);
}

}  // namespace npusim::hw::dataflow
