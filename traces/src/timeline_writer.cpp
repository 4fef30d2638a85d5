#include "npusim/traces/timeline_writer.hpp"

#include <fmt/format.h>

namespace npusim::traces {

namespace {

std::string us(std::uint64_t ps) { return fmt::format("{}.{:06}", ps / 1000000, ps % 1000000); }

constexpr const char* kTrackNames[] = {"", "layers", "load", "compute (PE array)", "compute (vector unit)",
                                       "store", "dma read", "dma write"};

std::uint64_t bank_key(const hw::dram::CommandRecord& r) {
  return (static_cast<std::uint64_t>(r.channel) << 32) | (static_cast<std::uint64_t>(r.rank) << 16) |
         (static_cast<std::uint64_t>(r.bank_group) << 8) | r.bank;
}

}  // namespace

TimelineWriter::TimelineWriter(const std::string& path, bool gzip, std::uint64_t dram_tck_ps,
                               std::uint64_t burst_bytes, std::uint64_t bin_ps)
    : file_(path, gzip), tck_ps_(dram_tck_ps), burst_bytes_(burst_bytes), bin_ps_(bin_ps) {
  file_.write("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  event(R"({"ph":"M","pid":1,"name":"process_name","args":{"name":"npu"}})");
  event(R"({"ph":"M","pid":2,"name":"process_name","args":{"name":"dram"}})");
}

TimelineWriter::~TimelineWriter() = default;  // unfinished: the file stays PATH.part

void TimelineWriter::event(std::string_view json) {
  file_.write(first_event_ ? "" : ",\n");
  file_.write(json);
  first_event_ = false;
}

void TimelineWriter::name_thread(int pid, int tid, std::string_view name) {
  if (!named_.insert({pid, tid}).second) return;
  event(fmt::format(R"({{"ph":"M","pid":{},"tid":{},"name":"thread_name","args":{{"name":"{}"}}}})", pid, tid, name));
}

void TimelineWriter::span(Track track, std::string_view name, std::uint64_t begin_ps, std::uint64_t end_ps,
                          std::string_view args) {
  if (finished_ || !open(begin_ps, end_ps)) return;
  int tid = static_cast<int>(track);
  std::string track_name = kTrackNames[track];
  if (track == kDmaRead || track == kDmaWrite) {
    // Transfers overlap (several in flight): each goes on the first lane free at its start,
    // so no two spans of a track overlap (Perfetto draws partial overlaps wrongly).
    std::vector<std::uint64_t>& lanes = dma_lanes_[track == kDmaRead ? 0 : 1];
    std::size_t lane = 0;
    while (lane < lanes.size() && lanes[lane] > begin_ps) ++lane;
    if (lane == lanes.size()) lanes.push_back(0);
    lanes[lane] = end_ps;
    tid = kDmaLaneTid * static_cast<int>(track) + static_cast<int>(lane);
    track_name = fmt::format("{} {}", kTrackNames[track], lane);
  }
  name_thread(1, tid, track_name);
  event(fmt::format(R"({{"ph":"X","pid":1,"tid":{},"name":"{}","ts":{},"dur":{},"args":{{{}}}}})", tid, name,
                    us(begin_ps), us(end_ps - begin_ps), args));
}

void TimelineWriter::core_span(int core, std::string_view name, std::uint64_t begin_ps, std::uint64_t end_ps,
                               std::string_view args) {
  if (finished_ || !open(begin_ps, end_ps)) return;
  if (named_.insert({3, -1}).second) event(R"({"ph":"M","pid":3,"name":"process_name","args":{"name":"cores"}})");
  name_thread(3, core, fmt::format("core {}", core));
  event(fmt::format(R"({{"ph":"X","pid":3,"tid":{},"name":"{}","ts":{},"dur":{},"args":{{{}}}}})", core, name,
                    us(begin_ps), us(end_ps - begin_ps), args));
}

void TimelineWriter::counter(std::string_view name, std::uint64_t t_ps, double value) {
  if (finished_ || !open(t_ps, t_ps)) return;
  event(fmt::format(R"({{"ph":"C","pid":1,"name":"{}","ts":{},"args":{{"value":{:.6g}}}}})", name, us(t_ps), value));
}

void TimelineWriter::emit_bins_before(std::uint64_t t_ps) {
  while (t_ps >= bin_start_ + bin_ps_) {
    // bytes per bin over the bin's length: B/ps x 1000 = GB/s
    counter("dram_gbps", bin_start_, static_cast<double>(bin_bytes_) * 1000.0 / static_cast<double>(bin_ps_));
    bin_start_ += bin_ps_;
    bin_bytes_ = 0;
    if (t_ps >= bin_start_ + 64 * bin_ps_) {  // a long idle stretch: one zero, then jump
      counter("dram_gbps", bin_start_, 0.0);
      bin_start_ = t_ps / bin_ps_ * bin_ps_;
    }
  }
}

void TimelineWriter::add_dram_bytes(std::uint64_t t_ps, std::uint64_t bytes) {
  if (!counting_) {
    // The first burst since tracing was (re)enabled: close the bin of the earlier selected
    // stretch, then start binning here (no counters for the time nothing was selected).
    if (bin_bytes_ > 0) emit_bins_before(bin_start_ + bin_ps_);
    bin_start_ = t_ps / bin_ps_ * bin_ps_;
    bin_bytes_ = 0;
    counting_ = true;
  }
  emit_bins_before(t_ps);  // a burst of a channel caught up late lands in the current bin
  bin_bytes_ += bytes;
}

void TimelineWriter::on_command(const hw::dram::CommandRecord& r) {
  using hw::dram::DramCommand;
  const std::uint64_t t = r.cycle * tck_ps_;
  if (r.command == DramCommand::RD || r.command == DramCommand::WR) {
    if (open(t)) add_dram_bytes(t, burst_bytes_);
    else counting_ = false;
    return;
  }
  if (r.command == DramCommand::ACT) {
    open_rows_[bank_key(r)] = {r.row, t};
    return;
  }
  auto close = [&](std::uint64_t key, const Open& o) {
    if (finished_ || !open(o.since, t)) return;
    const int ch = static_cast<int>(key >> 32), rank = static_cast<int>((key >> 16) & 0xffff);
    const int bg = static_cast<int>((key >> 8) & 0xff), bank = static_cast<int>(key & 0xff);
    const int tid = ch * 4096 + rank * 256 + bg * 16 + bank + 1;
    name_thread(2, tid, fmt::format("ch{} rank{} bg{} bank{}", ch, rank, bg, bank));
    event(fmt::format(R"({{"ph":"X","pid":2,"tid":{},"name":"row {}","ts":{},"dur":{},"args":{{}}}})", tid, o.row,
                      us(o.since), us(t - o.since)));
  };
  if (r.command == DramCommand::PRE) {
    const auto it = open_rows_.find(bank_key(r));
    if (it != open_rows_.end()) {
      close(it->first, it->second);
      open_rows_.erase(it);
    }
  }
}

void TimelineWriter::finish() {
  if (finished_) return;
  if (counting_ || bin_bytes_ > 0) emit_bins_before(bin_start_ + bin_ps_);  // the last partial bin
  finished_ = true;
  file_.write("\n]}\n");
  file_.close();
}

}  // namespace npusim::traces
