#include "pipeline_timeline.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

namespace npusim::sim {

PipelineTimeline::PipelineTimeline(const TraceOptions& options) {
  std::filesystem::create_directories(options.dir);
  const std::string path = (std::filesystem::path(options.dir) / (options.gzip ? "timeline.json.gz" : "timeline.json")).string();
  // No DRAM commands are traced here: the DRAM fields only size the bandwidth counter.
  writer_ = std::make_unique<traces::TimelineWriter>(path, options.gzip, 1000, 64, 1000000);
  const auto ps = [](double ns) { return static_cast<std::uint64_t>(std::llround(ns * 1000.0)); };
  writer_->set_window(ps(options.window_first_ns), options.window_last_ns >= 1e299 ? UINT64_MAX : ps(options.window_last_ns));
}

void PipelineTimeline::band(int context, int core, const std::string& task, std::int64_t band, int frame,
                            const sc_core::sc_time& begin, const sc_core::sc_time& end) {
  writer_->core_span(core, task, begin.value(), end.value(),
                     fmt::format(R"("context":{},"band":{},"frame":{})", context, band, frame));
}

void PipelineTimeline::finish() { writer_->finish(); }

}  // namespace npusim::sim
