// A small account written straight into a replica, with ids and custom field
// names chosen by the test: the same content under two numberings is what a
// backup and its restore look like.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "store/replica.hpp"

namespace smartq::test {

// What the tests change, one thing at a time. Defaults: both accounts equal.
struct AccountContent {
    std::string description = "Fails on Safari";
    bool reply_note = true;         // the note answering the first note
    int assignee = 0;               // which user the login ticket is assigned to
    int severity = 1;               // which value of the choice field it holds
    std::string body = "log body";  // the attached file's content
    std::string beta_ticket = "Beta work";
    bool extra_alpha_ticket = false;  // one more ticket in Alpha
    std::string skype;                // a user field no restore writes, when not empty
    // PHP's spellings of nothing: a zero deadline, [] for an empty object, a
    // root note's parent "0"; and the custom field values nested.
    bool php_shapes = false;
    std::string file_name = "log.txt";
};

struct BuiltIds {
    std::int64_t alpha = 0, beta = 0;  // project ids
    std::int64_t login_ticket = 0;
};

// Users ann@ and bob@; projects Alpha (steps, a role whose max_step is a
// step, a choice field and a text field, the login ticket with two notes, a
// task and a file, and two identical chores) and Beta (one ticket). Every id
// is offset by `id_base`; field names are f<field_base + n>.
BuiltIds build_account(const std::filesystem::path& db, std::int64_t id_base, int field_base,
                       const AccountContent& content = {});

}  // namespace smartq::test
