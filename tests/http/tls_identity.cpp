#include "tls_identity.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

namespace smartq::http::testing {

namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
    void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void check(int ok, const char* what) {
    if (ok <= 0) {
        throw std::runtime_error(std::string("OpenSSL failed to ") + what);
    }
}

Key make_key() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) {
        throw std::runtime_error("OpenSSL failed to make a key");
    }
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    check(extension != nullptr, "make an extension");
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
}

Cert make_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key) {
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    static std::mt19937 serials(std::random_device{}());
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(serials() & 0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    if (issuer == nullptr) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    } else {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_subject_alt_name, ("DNS:" + common_name).c_str());
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    }
    check(X509_sign(cert.get(), issuer_key, EVP_sha256()), "sign a certificate");
    return cert;
}

template <class Write>
std::string to_pem(Write write) {
    BIO* bio = BIO_new(BIO_s_mem());
    check(write(bio), "write PEM");
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return out;
}

}  // namespace

TestPki make_test_pki(const std::string& dns_name) {
    Key ca_key = make_key();
    Cert ca = make_cert(ca_key.get(), "smartq test CA", nullptr, ca_key.get());
    Key server_key = make_key();
    Cert server = make_cert(server_key.get(), dns_name, ca.get(), ca_key.get());
    TestPki pki;
    pki.ca_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, ca.get()); });
    pki.server.certificate_chain_pem =
        to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, server.get()); });
    pki.server.private_key_pem = to_pem([&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, server_key.get(), nullptr, nullptr, 0, nullptr,
                                        nullptr);
    });
    return pki;
}

std::filesystem::path write_temp_file(const std::string& name, const std::string& text) {
    static std::mt19937_64 names(std::random_device{}());
    auto path =
        std::filesystem::temp_directory_path() / (name + "-" + std::to_string(names()) + ".pem");
    std::ofstream(path) << text;
    return path;
}

}  // namespace smartq::http::testing
