// OffchipPort: the dataflow NPU's way off the chip — network inputs and outputs, context
// weights, activations spilled at context boundaries. Two implementations:
//   DramPort      the DMA engine and the cycle-level DRAM model behind TLM-2.0 (the
//                 sequential NPU's parts), shared by every core;
//   HostLinkPort  a full-duplex link (e.g. PCIe): per direction, transfers occupy the link
//                 one after another for bytes / bandwidth, and each arrives `latency` after
//                 its last byte left.
// transfer() blocks the calling SC_THREAD until the data has arrived (a read) or been
// accepted (a write); several threads may transfer at once.
#pragma once

#include <cstdint>
#include <memory>

#include <systemc>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/dram_tlm_target.hpp"
#include "npusim/hw/npu/dma_engine.hpp"
#include "npusim/hw/npu/tile_program.hpp"

namespace npusim::hw::dataflow {

struct OffchipCounters {
  std::uint64_t transfers = 0;
  npu::TrafficBytes bytes;  ///< by kind: input (activations read), weight, output (activations written)
};

class OffchipPort {
 public:
  virtual ~OffchipPort() = default;
  virtual void transfer(const npu::DmaTransfer& t) = 0;
  const OffchipCounters& counters() const { return counters_; }

 protected:
  void count(const npu::DmaTransfer& t) {
    ++counters_.transfers;
    (t.is_write ? counters_.bytes.wr(t.kind) : counters_.bytes.rd(t.kind)) += t.bytes;
  }

 private:
  OffchipCounters counters_;
};

class DramPort : public OffchipPort {
 public:
  DramPort(const ArchConfig& arch, dram::CommandObserver* observer);
  void transfer(const npu::DmaTransfer& t) override;
  dram::DramTlmTarget& dram() { return *dram_; }
  npu::DmaEngine& dma() { return *dma_; }

 private:
  std::unique_ptr<dram::DramTlmTarget> dram_;
  std::unique_ptr<npu::DmaEngine> dma_;
};

class HostLinkPort : public OffchipPort {
 public:
  explicit HostLinkPort(const OffchipConfig& config);
  void transfer(const npu::DmaTransfer& t) override;

 private:
  OffchipConfig config_;
  sc_core::sc_time free_[2];  ///< per direction: read (to the chip), write (to the host)
};

}  // namespace npusim::hw::dataflow
