#include "npusim/sim/stats.hpp"

#include <stdexcept>

namespace npusim::sim {

double Stat::as_double() const {
  return std::holds_alternative<std::int64_t>(value) ? static_cast<double>(std::get<std::int64_t>(value))
                                                     : std::get<double>(value);
}

void StatSet::counter(std::string name, std::int64_t value, std::string unit, std::string desc) {
  stats_.push_back({std::move(name), std::move(unit), std::move(desc), value, true});
}

void StatSet::counter(std::string name, double value, std::string unit, std::string desc) {
  stats_.push_back({std::move(name), std::move(unit), std::move(desc), value, true});
}

void StatSet::level(std::string name, std::int64_t value, std::string unit, std::string desc) {
  stats_.push_back({std::move(name), std::move(unit), std::move(desc), value, false});
}

double StatSet::get(const std::string& name) const {
  for (const Stat& s : stats_)
    if (s.name == name) return s.as_double();
  throw std::out_of_range("no statistic named '" + name + "'");
}

StatSet StatSet::since(const StatSet& before) const {
  if (before.stats_.size() != stats_.size())
    throw std::logic_error("StatSet::since: snapshots of different statistics");
  StatSet d;
  for (std::size_t i = 0; i < stats_.size(); ++i) {
    Stat s = stats_[i];
    const Stat& b = before.stats_[i];
    if (s.name != b.name) throw std::logic_error("StatSet::since: '" + s.name + "' vs '" + b.name + "'");
    if (s.counter) {
      if (auto* v = std::get_if<std::int64_t>(&s.value))
        *v -= std::get<std::int64_t>(b.value);
      else
        std::get<double>(s.value) -= std::get<double>(b.value);
    }
    d.stats_.push_back(std::move(s));
  }
  return d;
}

namespace {
nlohmann::ordered_json value_json(const Stat& s) {
  if (auto* v = std::get_if<std::int64_t>(&s.value)) return *v;
  return std::get<double>(s.value);
}
}  // namespace

nlohmann::ordered_json StatSet::values_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const Stat& s : stats_) j[s.name] = value_json(s);
  return j;
}

nlohmann::ordered_json StatSet::full_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const Stat& s : stats_)
    j[s.name] = {{"value", value_json(s)}, {"unit", s.unit}, {"desc", s.desc},
                 {"kind", s.counter ? "counter" : "level"}};
  return j;
}

}  // namespace npusim::sim
