// ConfigReader: typed, range-checked reads of one config file's JSON fields; every failure
// is an ArchConfigError "FILE: field 'PATH': expected ..." naming the field.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "npusim/hw/config/arch_config.hpp"

namespace npusim::hw {

struct ConfigReader {
  const std::string& source;
  [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
    throw ArchConfigError(fmt::format("{}: field '{}': expected {}", source, field, expected), field);
  }
  const nlohmann::json& section(const nlohmann::json& doc, const std::string& name) const {
    if (!doc.contains(name) || !doc[name].is_object()) fail(name, "an object");
    return doc[name];
  }
  std::int64_t integer(const nlohmann::json& sec, const std::string& path, const char* key, std::int64_t lo,
                       std::int64_t hi) const {
    const std::string field = path + "." + key;
    if (!sec.contains(key)) fail(field, "an integer (the field is missing)");
    const nlohmann::json& v = sec[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi)
      fail(field, fmt::format("an integer in [{}, {}], got {}", lo, hi, v.dump()));
    return v.get<std::int64_t>();
  }
  double number(const nlohmann::json& sec, const std::string& path, const char* key, double lo, double hi) const {
    const std::string field = path + "." + key;
    if (!sec.contains(key)) fail(field, "a number (the field is missing)");
    const nlohmann::json& v = sec[key];
    if (!v.is_number() || !(v.get<double>() >= lo && v.get<double>() <= hi))
      fail(field, fmt::format("a number in [{}, {}], got {}", lo, hi, v.dump()));
    return v.get<double>();
  }
  std::string text(const nlohmann::json& sec, const std::string& path, const char* key) const {
    const std::string field = path + "." + key;
    if (!sec.contains(key) || !sec[key].is_string()) fail(field, "a string");
    return sec[key].get<std::string>();
  }
  bool boolean(const nlohmann::json& sec, const std::string& path, const char* key) const {
    const std::string field = path + "." + key;
    if (!sec.contains(key) || !sec[key].is_boolean()) fail(field, "true or false");
    return sec[key].get<bool>();
  }
};

/// The pipelined sections of `doc` (cores, noc, offchip, pipeline; pipeline_config.hpp).
PipelineConfig read_pipeline_config(const nlohmann::json& doc, const ConfigReader& r);

}  // namespace npusim::hw
