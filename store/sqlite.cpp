#include "store/sqlite.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <utility>

#include "store/errors.hpp"

namespace smartq::store::sqlite {

namespace {

// Before the library's first use: no global memory statistics, whose mutex every allocation
// takes. Fails harmlessly (SQLITE_MISUSE) if SQLite was initialised before.
void configure_library() {
    static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)configured;
}

}  // namespace

Connection::Connection(const std::filesystem::path& path, int open_flags) : path_(path) {
    configure_library();
    int rc = sqlite3_open_v2(path.c_str(), &db_, open_flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw StoreError(fmt::format("cannot open the replica at {}: {}", path.string(), message));
    }
    sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
    sqlite3_close_v2(db_);
}

void Connection::fail(int code, std::string_view doing) const {
    int primary = code & 0xff;
    std::string message = sqlite3_errmsg(db_);
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
        throw ReplicaDamaged(fmt::format("the replica at {} is damaged ({} while {})",
                                         path_.string(), message, doing));
    }
    throw StoreError(
        fmt::format("{} failed on the replica at {}: {}", doing, path_.string(), message));
}

void Connection::exec(std::string_view sql) {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        fail(rc, fmt::format("'{}'", sql.substr(0, 60)));
    }
}

bool Connection::in_transaction() const {
    return sqlite3_get_autocommit(db_) == 0;
}

std::int64_t Connection::total_changes() const {
    return sqlite3_total_changes64(db_);
}

Statement::Statement(const Connection& db, std::string_view sql) : db_(&db) {
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt_, &tail);
    if (rc != SQLITE_OK) {
        db.fail(rc, "preparing a statement");
    }
    if (stmt_ == nullptr) {
        throw StoreError("the statement is empty");
    }
    std::string_view rest(tail, sql.data() + sql.size() - tail);
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
        sqlite3_finalize(stmt_);
        throw StoreError("only one SQL statement can be run at a time");
    }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind_value(int position, const Value& value) {
    return std::visit(
        [&](const auto& v) -> Statement& {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return bind_null(position);
            } else if constexpr (std::is_same_v<T, double>) {
                int rc = sqlite3_bind_double(stmt_, position, v);
                if (rc != SQLITE_OK) {
                    db_->fail(rc, "binding a value");
                }
                return *this;
            } else if constexpr (std::is_same_v<T, std::string>) {
                return bind(position, std::string_view(v));
            } else {
                return bind(position, v);
            }
        },
        value);
}

Statement& Statement::bind(int position, std::string_view text) {
    int rc = sqlite3_bind_text64(stmt_, position, text.data(), text.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
    if (rc != SQLITE_OK) {
        db_->fail(rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind(int position, std::int64_t number) {
    int rc = sqlite3_bind_int64(stmt_, position, number);
    if (rc != SQLITE_OK) {
        db_->fail(rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind_null(int position) {
    int rc = sqlite3_bind_null(stmt_, position);
    if (rc != SQLITE_OK) {
        db_->fail(rc, "binding a value");
    }
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    sqlite3_reset(stmt_);
    db_->fail(rc, fmt::format("running '{}'", std::string_view(sqlite3_sql(stmt_)).substr(0, 60)));
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

std::int64_t Statement::changes() const {
    return sqlite3_changes64(db_->handle());
}

int Statement::parameter_count() const {
    return sqlite3_bind_parameter_count(stmt_);
}

bool Statement::read_only() const {
    return sqlite3_stmt_readonly(stmt_) != 0;
}

int Statement::column_count() const {
    return sqlite3_column_count(stmt_);
}

std::string Statement::column_name(int index) const {
    return sqlite3_column_name(stmt_, index);
}

bool Statement::is_null(int index) const {
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::int64_t Statement::integer(int index) const {
    return sqlite3_column_int64(stmt_, index);
}

std::string Statement::text(int index) const {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
    return bytes ? std::string(bytes, sqlite3_column_bytes(stmt_, index)) : std::string();
}

Value Statement::value(int index) const {
    switch (sqlite3_column_type(stmt_, index)) {
        case SQLITE_INTEGER:
            return integer(index);
        case SQLITE_FLOAT:
            return sqlite3_column_double(stmt_, index);
        case SQLITE_TEXT:
            return text(index);
        case SQLITE_BLOB: {
            const auto* bytes =
                static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, index));
            std::string hex;
            for (int i = 0; i < sqlite3_column_bytes(stmt_, index); ++i) {
                hex += fmt::format("{:02x}", bytes[i]);
            }
            return hex;
        }
        default:
            return std::monostate{};
    }
}

std::string quote_identifier(std::string_view name) {
    std::string quoted = "\"";
    for (char c : name) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + '"';
}

std::string quote_literal(std::string_view text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c;
        if (c == '\'') {
            quoted += '\'';
        }
    }
    return quoted + '\'';
}

}  // namespace smartq::store::sqlite
