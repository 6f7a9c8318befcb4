#pragma once

#include <filesystem>
#include <string>

#include "fake_server.hpp"

namespace smartq::http::testing {

// A throw-away CA and a server certificate it signed, made with the OpenSSL API.
struct TestPki {
    std::string ca_pem;
    TlsIdentity server;
};

// The server certificate names `dns_name` (and no address).
TestPki make_test_pki(const std::string& dns_name);

// Writes text to a fresh file under the temp directory and returns its path.
std::filesystem::path write_temp_file(const std::string& name, const std::string& text);

}  // namespace smartq::http::testing
