#include "npusim/hw/dram/dram_spec.hpp"

#include "npusim/hw/config/json_keys.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#ifndef NPUSIM_DEFAULT_CONFIG_DIR
#define NPUSIM_DEFAULT_CONFIG_DIR "configs"
#endif

namespace npusim::hw::dram {

using nlohmann::json;

namespace {

struct Reader {
  const std::string& source;
  [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
    throw DramSpecError(fmt::format("{}: field '{}': expected {}", source, field, expected));
  }
  const json& section(const json& doc, const char* name) const {
    if (!doc.contains(name) || !doc[name].is_object()) fail(name, "an object");
    return doc[name];
  }
  double number(const json& sec, const std::string& path, const char* key, double hi) const {
    const std::string field = path + "." + key;
    if (!sec.contains(key)) fail(field, "a number (the field is missing)");
    const json& v = sec[key];
    if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() <= hi))
      fail(field, fmt::format("a number in (0, {}], got {}", hi, v.dump()));
    return v.get<double>();
  }
  int cycles(const json& sec, const char* key) const {
    const std::string field = std::string("timing.") + key;
    if (!sec.contains(key)) fail(field, "a whole number of cycles (the field is missing)");
    const json& v = sec[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0 || v.get<std::int64_t>() > 1000000)
      fail(field, fmt::format("a whole number of cycles in [1, 1000000], got {}", v.dump()));
    return v.get<int>();
  }
  std::int64_t count(const json& sec, const char* key, std::int64_t hi) const {
    const std::string field = std::string("organization.") + key;
    if (!sec.contains(key)) fail(field, "a power of two (the field is missing)");
    const json& v = sec[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0 || v.get<std::int64_t>() > hi)
      fail(field, fmt::format("a power of two in [1, {}], got {}", hi, v.dump()));
    const std::int64_t n = v.get<std::int64_t>();
    if ((n & (n - 1)) != 0) fail(field, fmt::format("a power of two, got {}", n));
    return n;
  }
};

}  // namespace

DramSpec dram_spec_from_json(const json& doc, const std::string& source) {
  Reader r{source};
  if (!doc.is_object()) throw DramSpecError(source + ": expected a JSON object");
  DramSpec s;
  // Unknown keys are typos, not options: every key must be a field npusim reads.
  auto fail_unknown = [&](const json& obj, const std::string& prefix, const std::vector<std::string>& known) {
    if (const auto m = unknown_key(obj, prefix, known)) throw DramSpecError(source + ": " + *m);
  };
  fail_unknown(doc, "", {"standard", "source", "organization", "timing", "power"});
  if (doc.contains("organization"))
    fail_unknown(doc["organization"], "organization",
                 {"channels", "ranks", "bank_groups", "banks_per_group", "rows", "columns", "device_width",
                  "bus_width", "burst_length"});
  if (doc.contains("timing"))
    fail_unknown(doc["timing"], "timing",
                 {"data_rate_mtps", "nCL", "nCWL", "nRCD", "nRP", "nRAS", "nRC", "nRTP", "nWR", "nWTR_S", "nWTR_L",
                  "nRTW", "nCCD_S", "nCCD_L", "nRRD_S", "nRRD_L", "nFAW", "nBL", "nRFC", "nREFI", "nRTRS"});
  if (doc.contains("power"))
    fail_unknown(doc["power"], "power", {"VDD", "IDD0", "IDD2N", "IDD3N", "IDD4R", "IDD4W", "IDD5B"});
  if (!doc.contains("standard") || !doc["standard"].is_string())
    r.fail("standard", "a string such as \"DDR4-2400\"");
  s.standard = doc["standard"].get<std::string>();
  if (doc.contains("source") && doc["source"].is_string()) s.source = doc["source"];

  const json& o = r.section(doc, "organization");
  s.org.channels = static_cast<int>(r.count(o, "channels", 64));
  s.org.ranks = static_cast<int>(r.count(o, "ranks", 16));
  s.org.bank_groups = static_cast<int>(r.count(o, "bank_groups", 16));
  s.org.banks_per_group = static_cast<int>(r.count(o, "banks_per_group", 64));
  s.org.rows = r.count(o, "rows", 1 << 20);
  s.org.columns = static_cast<int>(r.count(o, "columns", 1 << 16));
  s.org.device_width = static_cast<int>(r.count(o, "device_width", 1024));
  s.org.bus_width = static_cast<int>(r.count(o, "bus_width", 1024));
  s.org.burst_length = static_cast<int>(r.count(o, "burst_length", 64));
  if (s.org.bus_width % s.org.device_width != 0)
    r.fail("organization.device_width", "a divisor of bus_width");
  if (s.org.columns < s.org.burst_length)
    r.fail("organization.columns", "at least burst_length");

  const json& t = r.section(doc, "timing");
  DramTiming& T = s.timing;
  T.data_rate_mtps = r.number(t, "timing", "data_rate_mtps", 100000);
  T.nCL = r.cycles(t, "nCL");
  T.nCWL = r.cycles(t, "nCWL");
  T.nRCD = r.cycles(t, "nRCD");
  T.nRP = r.cycles(t, "nRP");
  T.nRAS = r.cycles(t, "nRAS");
  T.nRC = r.cycles(t, "nRC");
  T.nRTP = r.cycles(t, "nRTP");
  T.nWR = r.cycles(t, "nWR");
  T.nWTR_S = r.cycles(t, "nWTR_S");
  T.nWTR_L = r.cycles(t, "nWTR_L");
  T.nRTW = r.cycles(t, "nRTW");
  T.nCCD_S = r.cycles(t, "nCCD_S");
  T.nCCD_L = r.cycles(t, "nCCD_L");
  T.nRRD_S = r.cycles(t, "nRRD_S");
  T.nRRD_L = r.cycles(t, "nRRD_L");
  T.nFAW = r.cycles(t, "nFAW");
  T.nBL = r.cycles(t, "nBL");
  T.nRFC = r.cycles(t, "nRFC");
  T.nREFI = r.cycles(t, "nREFI");
  T.nRTRS = r.cycles(t, "nRTRS");
  auto consistent = [&](bool ok, const char* field, const std::string& expected) {
    if (!ok) r.fail(field, expected);
  };
  consistent(T.nRC >= T.nRAS + T.nRP, "timing.nRC",
             fmt::format(">= nRAS + nRP = {} (got {})", T.nRAS + T.nRP, T.nRC));
  consistent(T.nBL * 2 == s.org.burst_length, "timing.nBL",
             fmt::format("burst_length / 2 = {} (double data rate)", s.org.burst_length / 2));
  consistent(T.nCCD_S >= T.nBL, "timing.nCCD_S", fmt::format(">= nBL = {}", T.nBL));
  consistent(T.nCCD_L >= T.nCCD_S, "timing.nCCD_L", fmt::format(">= nCCD_S = {}", T.nCCD_S));
  consistent(T.nRRD_L >= T.nRRD_S, "timing.nRRD_L", fmt::format(">= nRRD_S = {}", T.nRRD_S));
  consistent(T.nWTR_L >= T.nWTR_S, "timing.nWTR_L", fmt::format(">= nWTR_S = {}", T.nWTR_S));
  consistent(T.nRAS >= T.nRCD, "timing.nRAS", fmt::format(">= nRCD = {}", T.nRCD));
  consistent(T.nREFI > T.nRFC, "timing.nREFI", fmt::format("> nRFC = {}", T.nRFC));
  consistent(T.nRTW + T.nCWL >= T.nCL + T.nBL, "timing.nRTW",
             fmt::format(">= nCL + nBL - nCWL = {} (the read burst must leave the bus first)",
                         T.nCL + T.nBL - T.nCWL));

  const json& p = r.section(doc, "power");
  DramPower& P = s.power;
  P.VDD = r.number(p, "power", "VDD", 1e6);
  P.IDD0 = r.number(p, "power", "IDD0", 1e6);
  P.IDD2N = r.number(p, "power", "IDD2N", 1e6);
  P.IDD3N = r.number(p, "power", "IDD3N", 1e6);
  P.IDD4R = r.number(p, "power", "IDD4R", 1e6);
  P.IDD4W = r.number(p, "power", "IDD4W", 1e6);
  P.IDD5B = r.number(p, "power", "IDD5B", 1e6);
  consistent(P.IDD3N >= P.IDD2N, "power.IDD3N", ">= IDD2N (active standby draws more)");
  consistent(P.IDD4R > P.IDD3N && P.IDD4W > P.IDD3N, "power.IDD4R",
             "IDD4R and IDD4W > IDD3N");
  s.doc = doc;
  return s;
}

DramSpec load_dram_spec_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw DramSpecError(fmt::format("{}: cannot open the DRAM preset", path));
  std::stringstream ss;
  ss << in.rdbuf();
  json doc;
  try {
    doc = json::parse(ss.str());
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number overflow
    throw DramSpecError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  return dram_spec_from_json(doc, path);
}

std::string config_dir() {
  if (const char* env = std::getenv("NPUSIM_CONFIG_DIR"); env && *env) return env;
  return NPUSIM_DEFAULT_CONFIG_DIR;
}

std::vector<std::string> dram_preset_names() { return {"DDR4-2400", "LPDDR4-3200", "HBM2"}; }

DramSpec load_dram_preset(const std::string& standard) {
  for (const std::string& name : dram_preset_names())
    if (name == standard) return load_dram_spec_file(config_dir() + "/dram/" + name + ".json");
  throw DramSpecError(fmt::format("unknown DRAM standard '{}': expected DDR4-2400, LPDDR4-3200, "
                                  "HBM2 or a preset file",
                                  standard));
}

}  // namespace npusim::hw::dram
