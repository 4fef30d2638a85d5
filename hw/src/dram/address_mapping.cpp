#include "npusim/hw/dram/address_mapping.hpp"

#include <fmt/format.h>

#include <sstream>
#include <vector>

namespace npusim::hw::dram {

namespace {
int log2_exact(std::int64_t n) {
  int b = 0;
  while ((std::int64_t{1} << b) < n) ++b;
  return b;
}
}  // namespace

AddressMapping::AddressMapping(const DramOrganization& org, const std::string& fields)
    : text_(fields) {
  const char* names[kFields] = {"ch", "ra", "bg", "ba", "ro", "co"};
  const std::int64_t sizes[kFields] = {org.channels,        org.ranks, org.bank_groups,
                                       org.banks_per_group, org.rows,  org.bursts_per_row()};
  std::vector<int> order;  // MSB first
  std::stringstream ss(fields);
  std::string token;
  while (std::getline(ss, token, ',')) {
    int f = -1;
    for (int i = 0; i < kFields; ++i)
      if (token == names[i]) f = i;
    if (f < 0)
      throw DramSpecError(fmt::format("address mapping '{}': unknown field '{}' (expected ch, "
                                      "ra, bg, ba, ro, co)",
                                      fields, token));
    for (int seen : order)
      if (seen == f)
        throw DramSpecError(fmt::format("address mapping '{}': field '{}' appears twice", fields,
                                        token));
    order.push_back(f);
  }
  if (order.size() != kFields)
    throw DramSpecError(fmt::format(
        "address mapping '{}': expected all six fields ch, ra, bg, ba, ro, co", fields));
  offset_bits_ = log2_exact(org.burst_bytes());
  int shift = offset_bits_;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    shift_[*it] = shift;
    bits_[*it] = log2_exact(sizes[*it]);
    mask_[*it] = (std::uint64_t{1} << bits_[*it]) - 1;
    shift += bits_[*it];
  }
}

std::uint64_t AddressMapping::encode(const DramAddress& a) const {
  auto put = [&](Field f, std::uint64_t v) { return v << shift_[f]; };
  return put(kChannel, a.channel) | put(kRank, a.rank) | put(kBankGroup, a.bank_group) |
         put(kBank, a.bank) | put(kRow, a.row) | put(kColumn, a.column);
}

}  // namespace npusim::hw::dram
