#include "json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace bench::json {

namespace {
[[noreturn]] void type_error(const char *what) {
    throw std::runtime_error(std::string("json: value is not ") + what);
}
}  // namespace

double Value::number() const {
    if (type_ != Type::Number) type_error("a number");
    return d_;
}
int64_t Value::integer() const {
    double d = number();
    if (d != std::floor(d)) type_error("an integer");
    return int64_t(d);
}
bool Value::boolean() const {
    if (type_ != Type::Bool) type_error("a boolean");
    return b_;
}
const std::string &Value::str() const {
    if (type_ != Type::String) type_error("a string");
    return s_;
}
size_t Value::size() const {
    if (type_ == Type::Array) return arr_.size();
    if (type_ == Type::Object) return obj_.size();
    type_error("an array or object");
}
const Value &Value::operator[](size_t i) const {
    if (type_ != Type::Array) type_error("an array");
    return arr_.at(i);
}
void Value::push_back(Value v) {
    if (type_ == Type::Null) type_ = Type::Array;
    if (type_ != Type::Array) type_error("an array");
    arr_.push_back(std::move(v));
}
bool Value::contains(const std::string &key) const {
    if (type_ != Type::Object) return false;
    for (auto &kv : obj_)
        if (kv.first == key) return true;
    return false;
}
const Value &Value::at(const std::string &key) const {
    if (type_ != Type::Object) type_error("an object");
    for (auto &kv : obj_)
        if (kv.first == key) return kv.second;
    throw std::runtime_error("json: missing key \"" + key + "\"");
}
Value &Value::operator[](const std::string &key) {
    if (type_ == Type::Null) type_ = Type::Object;
    if (type_ != Type::Object) type_error("an object");
    for (auto &kv : obj_)
        if (kv.first == key) return kv.second;
    obj_.emplace_back(key, Value());
    return obj_.back().second;
}
int64_t Value::get_int(const std::string &key, int64_t def) const {
    return contains(key) ? at(key).integer() : def;
}
double Value::get_number(const std::string &key, double def) const {
    return contains(key) ? at(key).number() : def;
}
std::string Value::get_string(const std::string &key, const std::string &def) const {
    return contains(key) ? at(key).str() : def;
}
bool Value::get_bool(const std::string &key, bool def) const {
    return contains(key) ? at(key).boolean() : def;
}

namespace {
void dump_string(std::string &out, const std::string &s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
}
void newline(std::string &out, int indent, int level) {
    if (indent <= 0) return;
    out += '\n';
    out.append(size_t(indent * level), ' ');
}
}  // namespace

void Value::dump_to(std::string &out, int indent, int level) const {
    switch (type_) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += b_ ? "true" : "false"; break;
    case Type::Number: {
        if (!std::isfinite(d_)) {
            out += "null";  // JSON has no NaN/Inf
        } else if (d_ == std::floor(d_) && std::fabs(d_) < 9e15) {
            out += std::to_string(int64_t(d_));
        } else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.6g", d_);
            out += buf;
        }
        break;
    }
    case Type::String: dump_string(out, s_); break;
    case Type::Array: {
        out += '[';
        // Arrays of scalars stay on one line.
        bool flat = true;
        for (auto &v : arr_)
            if (v.is_array() || v.is_object()) flat = false;
        for (size_t i = 0; i < arr_.size(); i++) {
            if (i) out += flat ? ", " : ",";
            if (!flat) newline(out, indent, level + 1);
            arr_[i].dump_to(out, indent, level + 1);
        }
        if (!flat && !arr_.empty()) newline(out, indent, level);
        out += ']';
        break;
    }
    case Type::Object: {
        out += '{';
        for (size_t i = 0; i < obj_.size(); i++) {
            if (i) out += ',';
            newline(out, indent, level + 1);
            dump_string(out, obj_[i].first);
            out += indent > 0 ? ": " : ":";
            obj_[i].second.dump_to(out, indent, level + 1);
        }
        if (!obj_.empty()) newline(out, indent, level);
        out += '}';
        break;
    }
    }
}

std::string Value::dump(int indent) const {
    std::string out;
    dump_to(out, indent, 0);
    return out;
}

namespace {
struct Parser {
    const std::string &s;
    size_t i = 0;

    [[noreturn]] void fail(const std::string &msg) {
        size_t line = 1;
        for (size_t k = 0; k < i && k < s.size(); k++)
            if (s[k] == '\n') line++;
        throw std::runtime_error("json parse error at line " + std::to_string(line) + ": " + msg);
    }
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    }
    bool eat(char c) {
        ws();
        if (i < s.size() && s[i] == c) {
            i++;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!eat(c)) fail(std::string("expected '") + c + "'");
    }
    std::string string_lit() {
        expect('"');
        std::string out;
        while (true) {
            if (i >= s.size()) fail("unterminated string");
            char c = s[i++];
            if (c == '"') break;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i >= s.size()) fail("bad escape");
            char e = s[i++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                if (i + 4 > s.size()) fail("bad \\u escape");
                unsigned cp = std::stoul(s.substr(i, 4), nullptr, 16);
                i += 4;
                if (cp < 0x80) {
                    out += char(cp);
                } else if (cp < 0x800) {
                    out += char(0xC0 | (cp >> 6));
                    out += char(0x80 | (cp & 0x3F));
                } else {
                    out += char(0xE0 | (cp >> 12));
                    out += char(0x80 | ((cp >> 6) & 0x3F));
                    out += char(0x80 | (cp & 0x3F));
                }
                break;
            }
            default: fail("bad escape");
            }
        }
        return out;
    }
    Value value() {
        ws();
        if (i >= s.size()) fail("unexpected end");
        char c = s[i];
        if (c == '{') {
            i++;
            Value v = Value::object();
            if (eat('}')) return v;
            do {
                ws();
                std::string k = string_lit();
                expect(':');
                v[k] = value();
            } while (eat(','));
            expect('}');
            return v;
        }
        if (c == '[') {
            i++;
            Value v = Value::array();
            if (eat(']')) return v;
            do {
                v.push_back(value());
            } while (eat(','));
            expect(']');
            return v;
        }
        if (c == '"') return Value(string_lit());
        if (s.compare(i, 4, "true") == 0) {
            i += 4;
            return Value(true);
        }
        if (s.compare(i, 5, "false") == 0) {
            i += 5;
            return Value(false);
        }
        if (s.compare(i, 4, "null") == 0) {
            i += 4;
            return Value();
        }
        const char *start = s.c_str() + i;
        char *end = nullptr;
        double d = std::strtod(start, &end);
        if (end == start) fail("unexpected character");
        i += size_t(end - start);
        return Value(d);
    }
};
}  // namespace

Value parse(const std::string &text) {
    Parser p{text};
    Value v = p.value();
    p.ws();
    if (p.i != text.size()) p.fail("trailing characters");
    return v;
}

Value parse_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return parse(ss.str());
    } catch (const std::exception &e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

}  // namespace bench::json
