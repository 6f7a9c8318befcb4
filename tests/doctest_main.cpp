// doctest's main, but a run whose filters match no test case fails: ctest runs each case by
// name, and a name doctest cannot match (a ';' splits it in CMake) would otherwise pass unseen.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {

struct MatchCounter : doctest::IReporter {
    static inline bool ran = false;
    static inline unsigned matched = 0;

    explicit MatchCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override { ran = true; }
    void test_run_end(const doctest::TestRunStats& stats) override {
        matched = stats.numTestCasesPassingFilters;
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

DOCTEST_REGISTER_LISTENER("match-counter", 1, MatchCounter);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    int result = context.run();
    if (context.shouldExit() || result != 0) {
        return result;
    }
    if (MatchCounter::ran && MatchCounter::matched == 0) {
        std::fprintf(stderr, "no test case matches the filters given\n");
        return 1;
    }
    return 0;
}
