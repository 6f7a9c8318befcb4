#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "store/table_spec.hpp"

struct sqlite3;
struct sqlite3_stmt;

// Thin RAII over the SQLite C API; every error becomes a StoreError (ReplicaDamaged for
// SQLITE_CORRUPT / SQLITE_NOTADB) carrying SQLite's own message.
namespace smartq::store::sqlite {

class Connection {
  public:
    Connection(const std::filesystem::path& path, int open_flags);
    Connection(Connection&&) = delete;
    ~Connection();

    sqlite3* handle() const { return db_; }
    const std::filesystem::path& path() const { return path_; }
    void exec(std::string_view sql);  // any number of statements, no results
    bool in_transaction() const;
    std::int64_t total_changes() const;

    [[noreturn]] void fail(int code, std::string_view doing) const;

  private:
    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

class Statement {
  public:
    Statement(const Connection& db, std::string_view sql);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    ~Statement();

    // Positions are 1-based, as in SQLite.
    Statement& bind_value(int position, const Value& value);
    Statement& bind(int position, std::string_view text);
    Statement& bind(int position, std::int64_t number);
    Statement& bind_null(int position);

    bool step();   // true while a row is available
    void reset();  // ready for new bindings
    void run();    // step to the end, then reset
    std::int64_t changes() const;
    int parameter_count() const;  // the highest ?N the statement uses

    bool read_only() const;
    int column_count() const;
    std::string column_name(int index) const;
    bool is_null(int index) const;
    std::int64_t integer(int index) const;
    std::string text(int index) const;
    Value value(int index) const;  // blobs as lowercase hex text

  private:
    const Connection* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// "name" with embedded quotes doubled: safe for any identifier.
std::string quote_identifier(std::string_view name);
// 'text' with embedded quotes doubled.
std::string quote_literal(std::string_view text);

}  // namespace smartq::store::sqlite
