// The DRAM system behind its TLM-2.0 AT target socket: every transaction is answered once,
// bytes are conserved, full queues push back on END_REQ, bad transactions get an error
// response, and the command stream passes the independent timing checker. A second target
// without an observer runs its controllers ahead while a request waits and, while none
// does, sleeps until a transaction can complete instead of waking at every command (a
// command observer turns both off): the same traffic, with gaps and a cap on outstanding
// transactions so that both cases occur, gets every END_REQ and response at the same time.
//
// SystemC allows one elaboration per process, so this program is one test.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>

#include <tlm_utils/simple_initiator_socket.h>

#include "npusim/hw/dram/dram_tlm_target.hpp"
#include "npusim/hw/dram/timing_checker.hpp"

namespace {

using namespace npusim::hw::dram;
using sc_core::sc_time;

struct Txn {
  std::uint64_t address, length;
  bool write;
};

class TestInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TestInitiator> socket;
  std::vector<Txn> plan;
  int max_outstanding = 4;
  // Results.
  int responses = 0, errors = 0;
  std::uint64_t bytes_answered = 0;
  std::uint64_t longest_end_req_wait_ps = 0;
  int end_req_with_call = 0;  ///< transactions the target accepted with the call (TLM_UPDATED)
  std::map<const tlm::tlm_generic_payload*, int> answered;
  std::vector<std::uint64_t> end_req_ps, response_ps;  ///< times, in the order they came
  std::vector<std::uint64_t> response_address;

  explicit TestInitiator(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_nb_transport_bw(this, &TestInitiator::nb_transport_bw);
    SC_HAS_PROCESS(TestInitiator);
    SC_THREAD(run);
  }

 private:
  std::vector<std::unique_ptr<tlm::tlm_generic_payload>> payloads_;
  std::vector<std::unique_ptr<unsigned char[]>> buffers_;
  sc_core::sc_event end_req_, response_;
  int outstanding_ = 0;

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                     sc_time&) {
    if (phase == tlm::END_REQ) {
      end_req_ps.push_back(sc_core::sc_time_stamp().value());
      end_req_.notify();
    } else if (phase == tlm::BEGIN_RESP) {
      response_ps.push_back(sc_core::sc_time_stamp().value());
      response_address.push_back(p.get_address());
      ++answered[&p];
      ++responses;
      bytes_answered += p.get_data_length();
      --outstanding_;
      response_.notify();
      return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_ACCEPTED;
  }

  void run() {
    for (const Txn& t : plan) {
      while (outstanding_ >= max_outstanding) wait(response_);
      auto p = std::make_unique<tlm::tlm_generic_payload>();
      buffers_.push_back(std::make_unique<unsigned char[]>(t.length));
      p->set_command(t.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      p->set_address(t.address);
      p->set_data_length(static_cast<unsigned>(t.length));
      p->set_data_ptr(buffers_.back().get());
      p->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_time delay = sc_core::SC_ZERO_TIME;
      const sc_time sent = sc_core::sc_time_stamp();
      const tlm::tlm_sync_enum s = socket->nb_transport_fw(*p, phase, delay);
      if (s == tlm::TLM_COMPLETED) {  // refused at once
        if (p->is_response_error()) ++errors;
      } else if (s == tlm::TLM_UPDATED && phase == tlm::END_REQ) {  // accepted with the call
        ++outstanding_;
        ++end_req_with_call;
        end_req_ps.push_back(sc_core::sc_time_stamp().value());
      } else {
        ++outstanding_;
        wait(end_req_);
        const auto waited = static_cast<std::uint64_t>(
            (sc_core::sc_time_stamp() - sent).value());
        longest_end_req_wait_ps = std::max(longest_end_req_wait_ps, waited);
      }
      payloads_.push_back(std::move(p));
      wait(sc_time(1, sc_core::SC_NS));
    }
    while (outstanding_ > 0) wait(response_);
  }
};

TEST(DramTlmTarget, AnswersEveryTransactionOnceWithBackPressureAndLegalTiming) {
  const DramSpec spec = load_dram_preset("DDR4-2400");
  TimingChecker checker(spec);
  ControllerConfig cfg;
  cfg.read_queue = cfg.write_queue = 8;  // small queues, so 4 KiB transactions push back
  cfg.write_high_watermark = 6;
  cfg.write_low_watermark = 2;
  DramTlmTarget target("dram", spec, cfg, AddressMapping::kDefault, &checker);
  TestInitiator init("initiator");
  init.socket.bind(target.socket);
  DramTlmTarget ahead("dram_ahead", spec, cfg, AddressMapping::kDefault);  // no observer: runs ahead
  TestInitiator init_ahead("initiator_ahead");
  init_ahead.socket.bind(ahead.socket);
  DramTlmTarget lp4("dram_lpddr4", load_dram_preset("LPDDR4-3200"), cfg, AddressMapping::kDefault);
  TestInitiator init_lp4("initiator_lpddr4");  // no traffic: binds the socket
  init_lp4.socket.bind(lp4.socket);
  DramSpec odd_rate = spec;
  odd_rate.timing.data_rate_mtps = 2666.5;  // not a whole number: the double path
  DramTlmTarget odd("dram_odd_rate", odd_rate, cfg, AddressMapping::kDefault);
  TestInitiator init_odd("initiator_odd_rate");
  init_odd.socket.bind(odd.socket);

  std::mt19937_64 rng(3);
  std::uint64_t good_bytes = 0;
  int good = 0;
  for (int i = 0; i < 300; ++i) {
    const std::uint64_t len = 64ULL << (rng() % 7);  // 64 B .. 4 KiB
    const std::uint64_t addr = (rng() % (1ULL << 24)) / len * len;
    init.plan.push_back({addr, len, rng() % 3 == 0});
    good_bytes += len;
    ++good;
  }
  init.plan.push_back({spec.org.total_bytes(), 64, false});  // beyond capacity
  init.plan.push_back({0, 100, false});                      // not a burst multiple
  init_ahead.plan = init.plan;

  sc_core::sc_start();

  EXPECT_EQ(init.responses, good);
  EXPECT_EQ(init.errors, 2);
  EXPECT_EQ(init.bytes_answered, good_bytes);
  for (const auto& [p, n] : init.answered) EXPECT_EQ(n, 1);
  EXPECT_EQ(target.transactions_done(), static_cast<std::uint64_t>(good));
  // 64 bursts cannot enter 8-entry queues at once: END_REQ came well after BEGIN_REQ. A
  // transaction whose bursts all found space got END_REQ back with the call.
  EXPECT_GT(init.longest_end_req_wait_ps, 50000u);
  EXPECT_GT(init.end_req_with_call, 0);
  EXPECT_LT(init.end_req_with_call, good);

  const DramReport r = target.report();
  EXPECT_EQ(r.bytes_read + r.bytes_written, good_bytes);
  EXPECT_EQ(r.requests, good_bytes / 64);
  checker.finish(r.cycles);
  EXPECT_EQ(checker.violation_count(), 0u);
  EXPECT_GT(checker.commands_checked(), good_bytes / 64);
  EXPECT_GT(r.bandwidth_gbps, 1.0);

  // Run ahead or not: every END_REQ and response at the same time, the same statistics.
  EXPECT_EQ(init_ahead.end_req_ps, init.end_req_ps);
  EXPECT_EQ(init_ahead.response_ps, init.response_ps);
  EXPECT_EQ(init_ahead.response_address, init.response_address);
  const DramReport ra = ahead.report();
  EXPECT_EQ(ra.cycles, r.cycles);
  EXPECT_EQ(ra.row_hits, r.row_hits);
  EXPECT_EQ(ra.row_conflicts, r.row_conflicts);
  EXPECT_EQ(ra.read_latency_mean_cycles, r.read_latency_mean_cycles);
  EXPECT_EQ(ra.read_latency_p99, r.read_latency_p99);
  EXPECT_EQ(ra.read_latency_max, r.read_latency_max);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(ra.commands[k], r.commands[k]) << k;

  // Clock conversions (LPDDR4-3200: tCK 625 ps; DDR4-2400: 833 1/3 ps, so edges fall
  // between picoseconds): a clock edge is the nearest picosecond by SystemC's own time
  // arithmetic, an edge's time maps back to its cycle, and 1 ps either side of it to the
  // cycle it falls in, rounded up.
  for (DramTlmTarget* t : {&lp4, &target, &odd}) {
    const double tck_ps = t == &lp4 ? 625.0 : t == &target ? 2e6 / 2400 : 2e6 / 2666.5;
    std::mt19937_64 pick(5);
    for (int i = 0; i < 200000; ++i) {
      const std::uint64_t c = i < 1000 ? static_cast<std::uint64_t>(i) : pick() % 2000000000ULL;
      const sc_time at = t->time_of(c);
      EXPECT_EQ(at, sc_time(static_cast<double>(c) * tck_ps, sc_core::SC_PS)) << c;
      ASSERT_EQ(t->cycle_of(at), c) << c;
      if (c > 0) ASSERT_EQ(t->cycle_of(at - sc_time(1, sc_core::SC_PS)), c) << c;
      ASSERT_EQ(t->cycle_of(at + sc_time(1, sc_core::SC_PS)), c + 1) << c;
    }
    // Days of simulated time: past the 64-bit fast path of the integer arithmetic.
    for (std::uint64_t c : {std::uint64_t{1} << 40, std::uint64_t{999999999999937}, std::uint64_t{4000000000000003}}) {
      const sc_time at = t->time_of(c);
      EXPECT_EQ(t->cycle_of(at), c) << c;
      EXPECT_EQ(t->cycle_of(at + sc_time(1, sc_core::SC_PS)), c + 1) << c;
      EXPECT_EQ(t->cycle_of(at - sc_time(1, sc_core::SC_PS)), c) << c;
    }
  }
}

}  // namespace

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
