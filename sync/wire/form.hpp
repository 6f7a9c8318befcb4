// PHP-style form and query encoding: what smartQ expects in POST/PUT bodies
// (`ticket[assigned_to][0]=1`) and what a server must decode.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smartq::wire {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

// Decodes %XX escapes; '+' becomes a space (form and query strings both use it).
// Malformed escapes are kept literally rather than rejected: servers do the same.
std::string url_decode(std::string_view text);

// Splits "a=1&b=2" (a query string or a form body) into decoded pairs, in order.
FormFields parse_form(std::string_view body);

// "ticket[assigned_to][0]" -> {"ticket", "assigned_to", "0"}; a plain key is one part.
std::vector<std::string> bracket_path(std::string_view key);

// Builds a body in http_build_query's bracket notation.
class FormBuilder {
  public:
    // add({"ticket", "name"}, "x") appends ticket[name]=x.
    FormBuilder& add(std::initializer_list<std::string_view> path, std::string_view value);
    FormBuilder& add(const std::vector<std::string>& path, std::string_view value);
    // add_list({"ticket", "assigned_to"}, {"1","2"}) appends ticket[assigned_to][0]=1&...[1]=2.
    FormBuilder& add_list(std::initializer_list<std::string_view> path,
                          const std::vector<std::string>& values);
    const std::string& str() const { return body_; }
    bool empty() const { return body_.empty(); }

  private:
    void append(std::string_view key, std::string_view value);
    std::string body_;
};

}  // namespace smartq::wire
