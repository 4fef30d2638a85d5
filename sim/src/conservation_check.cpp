#include "npusim/sim/conservation_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace npusim::sim {

namespace {

using Runs = RunSet::Runs;

/// Sorts runs by start address (equal starts in any order: merging them gives the same
/// union). Tiles visit a tensor in an order of their own, so a layer's need sets are large
/// and unsorted: they go through a least-significant-digit radix sort, 11 bits a pass.
void sort_by_address(Runs& runs) {
  const auto by_start = [](const auto& x, const auto& y) { return x.first < y.first; };
  if (std::is_sorted(runs.begin(), runs.end(), by_start)) return;
  if (runs.size() < 1024) {
    std::sort(runs.begin(), runs.end(), by_start);
    return;
  }
  constexpr int kDigitBits = 11;
  constexpr std::size_t kDigits = std::size_t{1} << kDigitBits;
  std::uint64_t highest = 0;
  for (const auto& r : runs) highest |= r.first;
  Runs sorted(runs.size());
  std::vector<std::size_t> count(kDigits);
  for (int shift = 0; shift < 64 && (highest >> shift) != 0; shift += kDigitBits) {
    std::fill(count.begin(), count.end(), 0);
    for (const auto& r : runs) ++count[(r.first >> shift) & (kDigits - 1)];
    std::size_t at = 0;
    for (std::size_t& c : count) at += std::exchange(c, at);
    for (const auto& r : runs) sorted[count[(r.first >> shift) & (kDigits - 1)]++] = r;
    runs.swap(sorted);
  }
}

/// Sorted, with touching and overlapping runs merged.
Runs merged(Runs runs) {
  sort_by_address(runs);
  Runs out;
  for (const auto& [a, n] : runs) {
    if (!out.empty() && a <= out.back().first + out.back().second)
      out.back().second = std::max(out.back().first + out.back().second, a + n) - out.back().first;
    else
      out.emplace_back(a, n);
  }
  return out;
}

/// Bytes of `need` (merged) that `have` (merged) does not cover.
std::uint64_t uncovered(const Runs& need, const Runs& have) {
  std::uint64_t missing = 0;
  std::size_t j = 0;
  for (const auto& [a, n] : need) {
    std::uint64_t pos = a;
    const std::uint64_t end = a + n;
    while (pos < end) {
      while (j < have.size() && have[j].first + have[j].second <= pos) ++j;
      if (j == have.size() || have[j].first >= end) {
        missing += end - pos;
        break;
      }
      if (have[j].first > pos) missing += have[j].first - pos;
      pos = std::min(end, have[j].first + have[j].second);
    }
  }
  return missing;
}

std::uint64_t total(const Runs& runs) {
  std::uint64_t t = 0;
  for (const auto& r : runs) t += r.second;
  return t;
}

/// The input index runs the outputs [0, out) of one axis depend on: the union of each output
/// index's own input range (a strided 1x1 kernel skips rows; a range over all outputs would not).
std::vector<std::pair<std::int64_t, std::int64_t>> needed_axis(const mapping::AxisMap& axis, std::int64_t out) {
  std::vector<std::pair<std::int64_t, std::int64_t>> runs;
  for (std::int64_t o = 0; o < out; ++o) {
    const auto [i0, i1] = axis.in_range(o, o + 1);
    if (i1 <= i0) continue;
    if (!runs.empty() && i0 <= runs.back().second) runs.back().second = std::max(runs.back().second, i1);
    else runs.emplace_back(i0, i1);
  }
  return runs;
}

}  // namespace

void RunSet::add(std::uint64_t address, std::uint64_t bytes) {
  // A run that starts inside or at the end of the last one (a tile's rows, a stream of
  // tiles) extends it: the set is the same, and most runs never reach the sort.
  if (!runs_.empty()) {
    auto& [a, n] = runs_.back();
    if (address >= a && address <= a + n) {
      n = std::max(a + n, address + bytes) - a;
      return;
    }
  }
  runs_.emplace_back(address, bytes);
  if (runs_.size() >= compact_at_) {
    runs_ = sim::merged(std::move(runs_));
    compact_at_ = std::max(compact_at_, 2 * runs_.size());  // amortized: each run merged O(log n) times
  }
}

RunSet::Runs RunSet::merged() const {
  runs_ = sim::merged(std::move(runs_));
  return runs_;
}

void ConservationCheck::record(const hw::npu::DmaTransfer& t, RunSet& into) {
  // Ranges in address order (a tile of one tensor) are searched; in any other order (the
  // parts of a concatenation placed apart) walked from the first.
  const auto ends_before = [](std::uint64_t a) {
    return [a](const auto& range) { return range.first + range.second <= a; };
  };
  const bool sorted = std::is_sorted(t.ranges.begin(), t.ranges.end());
  for (const auto& [a, n] : t.valid) {
    into.add(a, n);
    // The part of the run inside the atoms the transfer moved, from its start on.
    std::uint64_t pos = a;
    auto r = sorted ? std::partition_point(t.ranges.begin(), t.ranges.end(), ends_before(a)) : t.ranges.begin();
    for (; r != t.ranges.end(); ++r)
      if (pos >= r->first && pos < r->first + r->second) pos = std::min(a + n, r->first + r->second);
      else if (sorted) break;
    stray_ += a + n - pos;
  }
}

void ConservationCheck::on_tile(const hw::npu::TileWork& w) {
  // A MatMul's right operand is an input tensor read as the GEMM's weights.
  for (const auto& t : w.loads)
    if (t.kind == hw::npu::TrafficKind::Input || (t.kind == hw::npu::TrafficKind::Weight && p_.activation_weights()))
      record(t, inputs_);
  for (const auto& t : w.stores)
    if (t.kind == hw::npu::TrafficKind::Output) {
      record(t, outputs_);
      for (const auto& run : t.valid) output_bytes_ += run.second;
    }
}

std::vector<std::string> ConservationCheck::finish() const {
  std::vector<std::string> failures;
  auto skip = [&](int storage) { return p_.is_resident(storage); };
  const auto rows = needed_axis(p_.rows, p_.out_h), cols = needed_axis(p_.cols, p_.out_w);
  const bool gemm = p_.op == mapping::OpClass::Gemm;
  RunSet need_in, need_out;
  for (std::int64_t n = 0; n < p_.batch; ++n) {
    for (std::size_t i = 0; i < p_.inputs.size(); ++i) {
      const mapping::TensorView& v = p_.inputs[i];
      const std::int64_t channels = gemm ? v.c : std::min(p_.out_c, v.c);
      auto need = [&](std::int64_t y0, std::int64_t y1, std::int64_t x0, std::int64_t x1) {
        mapping::for_each_run(placement_, v, mapping::Region{n, 0, channels, y0, y1, x0, x1}, skip,
                              [&](const mapping::ByteRun& r) { need_in.add(r.address, r.bytes); });
      };
      if (p_.broadcast(i)) {  // one value per channel for every output pixel
        need(0, 1, 0, 1);
        continue;
      }
      if (static_cast<int>(i) == p_.weights_input) {  // every element is some tile's weight
        need(0, v.h, 0, v.w);
        continue;
      }
      for (const auto& [y0, y1] : rows)
        for (const auto& [x0, x1] : cols) need(y0, y1, x0, x1);
    }
    if (!p_.output_resident)
      mapping::for_each_run(placement_, p_.output, mapping::Region{n, 0, p_.out_c, 0, p_.out_h, 0, p_.out_w},
                            [](int) { return false; },
                            [&](const mapping::ByteRun& r) { need_out.add(r.address, r.bytes); });
  }
  const Runs have_in = inputs_.merged();
  if (const std::uint64_t m = uncovered(need_in.merged(), have_in))
    failures.push_back(fmt::format("{} bytes of its input(s) never read from DRAM", m));
  const Runs out_union = outputs_.merged(), out_need = need_out.merged();
  if (const std::uint64_t m = uncovered(out_need, out_union))
    failures.push_back(fmt::format("{} bytes of its output never written", m));
  if (const std::uint64_t extra = uncovered(out_union, out_need))
    failures.push_back(fmt::format("{} bytes written outside its output tensor", extra));
  if (const std::uint64_t twice = output_bytes_ - total(out_union))
    failures.push_back(fmt::format("{} bytes of its output written more than once", twice));
  if (stray_) failures.push_back(fmt::format("{} bytes carried outside the DRAM atoms their transfer moved", stray_));
  return failures;
}

}  // namespace npusim::sim
