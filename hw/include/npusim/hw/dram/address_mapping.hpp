// AddressMapping: physical byte address -> (channel, rank, bank group, bank, row, column).
//
// A mapping is a list of fields from the most to the least significant bits, e.g.
// "ro,ra,ba,co,bg,ch": the burst offset always takes the lowest bits, then the fields from
// right to left. The default interleaves channels, then bank groups, at burst granularity,
// so a stream alternates bank groups (tCCD_S apart) and stays in open rows.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::hw::dram {

struct DramAddress {
  std::uint32_t channel = 0, rank = 0, bank_group = 0, bank = 0, row = 0, column = 0;
  /// Column is in bursts (column address / burst length).
};

class AddressMapping {
 public:
  static constexpr const char* kDefault = "ro,ra,ba,co,bg,ch";

  /// Throws DramSpecError naming the mapping if a field is unknown, missing or repeated.
  AddressMapping(const DramOrganization& org, const std::string& fields = kDefault);

  DramAddress decode(std::uint64_t address) const {  // inline: once per burst
    auto field = [&](Field f) { return static_cast<std::uint32_t>((address >> shift_[f]) & mask_[f]); };
    return DramAddress{field(kChannel), field(kRank), field(kBankGroup),
                       field(kBank),    field(kRow),  field(kColumn)};
  }
  /// The inverse of decode for burst-aligned addresses (used by tests and pattern makers).
  std::uint64_t encode(const DramAddress& a) const;
  const std::string& fields() const { return text_; }

 private:
  enum Field { kChannel, kRank, kBankGroup, kBank, kRow, kColumn, kFields };
  std::array<int, kFields> shift_{}, bits_{};
  std::array<std::uint64_t, kFields> mask_{};  ///< (1 << bits) - 1
  int offset_bits_ = 0;
  std::string text_;
};

}  // namespace npusim::hw::dram
