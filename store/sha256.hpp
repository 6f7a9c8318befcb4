#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

// SHA-256 through OpenSSL EVP, as lowercase hex.
namespace smartq::store {

class Sha256 {
  public:
    Sha256();
    Sha256(Sha256&&) noexcept;
    ~Sha256();
    void update(std::span<const char> bytes);
    std::string hex_digest();  // once

  private:
    struct Context;
    std::unique_ptr<Context> context_;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace smartq::store
