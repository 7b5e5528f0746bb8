// Tiny JSON value, parser and writer for the benchmark harness (reads
// bench/suite.json, writes bench/results/*.json). Not a general-purpose
// library: no \u escapes beyond ASCII, numbers are doubles.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bench::json {

class Value {
public:
    enum class Type { Null, Bool, Number, String, Array, Object };

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : type_(Type::Bool), b_(b) {}
    Value(double d) : type_(Type::Number), d_(d) {}
    Value(int i) : type_(Type::Number), d_(i) {}
    Value(int64_t i) : type_(Type::Number), d_(double(i)) {}
    Value(const char *s) : type_(Type::String), s_(s) {}
    Value(std::string s) : type_(Type::String), s_(std::move(s)) {}

    static Value array() { Value v; v.type_ = Type::Array; return v; }
    static Value object() { Value v; v.type_ = Type::Object; return v; }

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_number() const { return type_ == Type::Number; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }

    double number() const;
    int64_t integer() const;
    bool boolean() const;
    const std::string &str() const;

    // Arrays.
    size_t size() const;
    const Value &operator[](size_t i) const;
    void push_back(Value v);

    // Objects (insertion order is kept for output).
    bool contains(const std::string &key) const;
    const Value &at(const std::string &key) const;  // throws if missing
    Value &operator[](const std::string &key);      // inserts
    // Typed look-ups with defaults.
    int64_t get_int(const std::string &key, int64_t def) const;
    double get_number(const std::string &key, double def) const;
    std::string get_string(const std::string &key, const std::string &def) const;
    bool get_bool(const std::string &key, bool def) const;
    const std::vector<std::pair<std::string, Value>> &items() const { return obj_; }
    const std::vector<Value> &elements() const { return arr_; }

    std::string dump(int indent = 2) const;

private:
    void dump_to(std::string &out, int indent, int level) const;

    Type type_ = Type::Null;
    bool b_ = false;
    double d_ = 0;
    std::string s_;
    std::vector<Value> arr_;
    std::vector<std::pair<std::string, Value>> obj_;
};

Value parse(const std::string &text);
Value parse_file(const std::string &path);

}  // namespace bench::json
