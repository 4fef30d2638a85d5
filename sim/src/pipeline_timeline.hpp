// The timeline trace of a pipelined run (--trace timeline): one track per core with a span
// per band it computed (task, band, frame, context), written as NAME.part and published
// when the run ends.
#pragma once

#include <memory>
#include <string>

#include "npusim/hw/dataflow/dataflow_top.hpp"
#include "npusim/sim/run_traces.hpp"
#include "npusim/traces/timeline_writer.hpp"

namespace npusim::sim {

class PipelineTimeline : public hw::dataflow::DataflowObserver {
 public:
  /// Throws traces::TraceError naming the file it cannot create.
  explicit PipelineTimeline(const TraceOptions& options);
  void band(int context, int core, const std::string& task, std::int64_t band, int frame,
            const sc_core::sc_time& begin, const sc_core::sc_time& end) override;
  /// Closes and publishes the file; throws traces::TraceError if it could not be written.
  void finish();
  bool failed() const { return writer_->failed(); }

 private:
  std::unique_ptr<traces::TimelineWriter> writer_;
};

}  // namespace npusim::sim
