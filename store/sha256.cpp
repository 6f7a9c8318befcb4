#include "store/sha256.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <stdexcept>

namespace smartq::store {

namespace {

// Fetched once: an implicit fetch by every digest costs more than hashing a small record.
const EVP_MD* sha256_method() {
    static EVP_MD* method = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (method == nullptr) {
        throw std::runtime_error("OpenSSL has no SHA-256");
    }
    return method;
}

std::string to_hex(const unsigned char* digest, unsigned int length) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(2 * length, '0');
    for (unsigned int i = 0; i < length; ++i) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0F];
    }
    return hex;
}

}  // namespace

struct Sha256::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    if (context_->ctx == nullptr ||
        EVP_DigestInit_ex(context_->ctx, sha256_method(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL could not start a SHA-256 digest");
    }
}

Sha256::Sha256(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(std::span<const char> bytes) {
    if (EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) != 1) {
        throw std::runtime_error("OpenSSL failed to update a SHA-256 digest");
    }
}

std::string Sha256::hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->ctx, digest, &length) != 1) {
        throw std::runtime_error("OpenSSL failed to finish a SHA-256 digest");
    }
    return to_hex(digest, length);
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, sha256_method(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL failed to compute a SHA-256 digest");
    }
    return to_hex(digest, length);
}

}  // namespace smartq::store
