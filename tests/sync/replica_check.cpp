#include "replica_check.hpp"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>

#include "store/replica.hpp"
#include "sync/resources.hpp"

namespace smartq::test {
namespace dom = simdjson::dom;

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && text.size() < 19 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `skip` names members left out, as dotted paths from the top ("options.values").
void canonical(dom::element e, std::string& out, const std::vector<std::string>& skip = {},
               const std::string& path = {}) {
    switch (e.type()) {
        case dom::element_type::OBJECT: {
            std::map<std::string, dom::element> sorted;
            for (auto [k, v] : simdjson::dom::object(e.get_object())) {
                auto member = path.empty() ? std::string(k) : path + "." + std::string(k);
                if (std::find(skip.begin(), skip.end(), member) == skip.end())
                    sorted.emplace(std::string(k), v);
            }
            out += '{';
            bool first = true;
            for (auto& [k, v] : sorted) {
                if (!first)
                    out += ',';
                first = false;
                out += '"' + k + "\":";
                canonical(v, out, skip, path.empty() ? k : path + "." + k);
            }
            out += '}';
            break;
        }
        case dom::element_type::ARRAY: {
            out += '[';
            bool first = true;
            for (auto v : simdjson::dom::array(e.get_array())) {
                if (!first)
                    out += ',';
                first = false;
                canonical(v, out);
            }
            out += ']';
            break;
        }
        case dom::element_type::STRING: {
            auto s = e.get_string().value();
            if (all_digits(s)) {
                out += std::string(s);
            } else {
                out += simdjson::minify(e);
            }
            break;
        }
        case dom::element_type::BOOL:
            out += e.get_bool().value() ? "1" : "0";
            break;
        default:
            out += simdjson::minify(e);
    }
}

std::string sha256_file(const std::filesystem::path& path, std::uint64_t& size) {
    std::ifstream in(path, std::ios::binary);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    char buf[65536];
    size = 0;
    while (in) {
        in.read(buf, sizeof buf);
        auto n = in.gcount();
        if (n > 0) {
            EVP_DigestUpdate(ctx, buf, static_cast<std::size_t>(n));
            size += static_cast<std::uint64_t>(n);
        }
    }
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned i = 0; i < len; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 15];
    }
    return text;
}

// The dump keeps a custom field's values inside it and a file's body digest;
// the API lists them separately, so they are not part of the object compared.
std::string object_text(std::string_view resource, dom::element object) {
    static const std::vector<std::string> file_skip = {"body"};
    static const std::vector<std::string> field_skip = {"options.values"};
    std::string out;
    canonical(object, out,
              resource == "files"           ? file_skip
              : resource == "custom_fields" ? field_skip
                                            : std::vector<std::string>{});
    return out;
}

std::string key_of(std::string_view resource, dom::element object) {
    if (resource == "custom_fields") {
        std::string project, name;
        canonical(object["project_id"].value(), project);
        return project + "/" + std::string(object["name"].get_string().value());
    }
    std::string id;
    canonical(object["id"].value(), id);
    return id;
}

}  // namespace

std::string canonical_json(std::string_view json) {
    dom::parser parser;
    auto root = parser.parse(json.data(), json.size()).value();
    std::string out;
    canonical(root, out);
    return out;
}

std::vector<std::string> replica_vs_dump(const std::filesystem::path& replica_path,
                                         const std::string& dump,
                                         const std::filesystem::path& blobs_dir, bool check_blobs) {
    std::vector<std::string> problems;
    auto replica = store::Replica::open(replica_path, sync::table_specs(), store::Mode::ReadOnly);
    dom::parser parser;
    auto root = parser.parse(dump).value();
    dom::parser row_parser;
    for (const auto& resource : sync::resources()) {
        std::string name(resource.name);
        std::string key_sql =
            resource.kind == sync::Kind::CustomFields ? "project_id || '/' || name" : "id";
        auto rows = replica.query("SELECT " + key_sql + ", data" +
                                  (resource.kind == sync::Kind::Files ? ", sha256, size" : "") +
                                  " FROM " + name + " WHERE deleted_at IS NULL");
        std::map<std::string, const std::vector<store::Value>*> stored;
        for (const auto& row : rows.rows) {
            std::string key = std::holds_alternative<std::int64_t>(row[0])
                                  ? std::to_string(std::get<std::int64_t>(row[0]))
                                  : std::get<std::string>(row[0]);
            stored[key] = &row;
        }
        for (auto object : simdjson::dom::array(root[name].get_array())) {
            auto key = key_of(name, object);
            auto it = stored.find(key);
            if (it == stored.end()) {
                problems.push_back(name + " " + key + " is missing from the replica");
                continue;
            }
            const auto& row = *it->second;
            auto data = std::get<std::string>(row[1]);
            auto mine = object_text(name, row_parser.parse(data).value());
            auto theirs = object_text(name, object);
            if (mine != theirs)
                problems.push_back(name + " " + key + " differs: replica " + mine + " vs dump " +
                                   theirs);
            if (resource.kind == sync::Kind::Files && check_blobs) {
                std::string sha(object["body"]["sha256"].get_string().value());
                auto size = object["body"]["size"].get_int64().value();
                if (row[2] != store::Value{sha} || row[3] != store::Value{size}) {
                    problems.push_back("files " + key +
                                       ": replica sha256/size do not match the dump");
                    continue;
                }
                std::uint64_t got = 0;
                auto path = blobs_dir / sha.substr(0, 2) / sha;
                if (!std::filesystem::exists(path) || sha256_file(path, got) != sha ||
                    got != static_cast<std::uint64_t>(size)) {
                    problems.push_back("files " + key +
                                       ": the blob is missing or its bytes differ");
                }
            }
            stored.erase(it);
        }
        for (const auto& [key, row] : stored)
            problems.push_back(name + " " + key + " is live in the replica but not in the dump");
    }
    return problems;
}

}  // namespace smartq::test
