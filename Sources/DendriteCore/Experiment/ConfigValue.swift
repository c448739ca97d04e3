import Foundation
import Yams

/// Where a config text came from, so every error can name the original file and line.
/// Lesson front matter starts a few lines into its Markdown file: `lineOffset` is the
/// number of lines that precede the YAML text in the file.
public struct ConfigSource: Sendable, Equatable {
    public var file: String
    public var lineOffset: Int

    public init(file: String, lineOffset: Int = 0) {
        self.file = file
        self.lineOffset = lineOffset
    }
}

/// One node of a parsed YAML document together with its dotted path ("dataset.count")
/// and its source, with typed accessors that fail with a `ConfigError` at the node's line.
///
/// Built on Yams' node API (`Yams.compose`) rather than `Decodable`, because only the
/// node tree keeps line numbers for every value.
public struct ConfigValue {
    public let node: Node
    /// Dotted path from the document root, used in messages ("optimizer.lr").
    public let path: String
    public let source: ConfigSource

    public init(node: Node, path: String, source: ConfigSource) {
        self.node = node
        self.path = path
        self.source = source
    }

    /// Parses `yaml` and returns its root, which must be a mapping.
    public static func parse(yaml: String, source: ConfigSource) throws -> ConfigValue {
        if let line = YAMLDepth.firstLineDeeper(than: YAMLDepth.limit, in: yaml) {
            throw ConfigError(file: source.file, line: line + source.lineOffset,
                              problem: "YAML nested more than \(YAMLDepth.limit) levels deep",
                              expected: "at most \(YAMLDepth.limit) levels of mappings and lists")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigValue.syntaxError(error, source: source)
        }
        guard let root else {
            throw ConfigError(file: source.file, line: 1 + source.lineOffset,
                              problem: "the document is empty", expected: "a YAML mapping of settings")
        }
        let value = ConfigValue(node: root, path: "", source: source)
        guard case .mapping = root else {
            throw value.error("the document is \(value.kindName), not a mapping", expected: "'key: value' lines at the top level")
        }
        return value
    }

    private static func syntaxError(_ error: YamlError, source: ConfigSource) -> ConfigError {
        func make(_ problem: String, _ mark: Mark, _ context: YamlError.Context?) -> ConfigError {
            var text = "invalid YAML: \(problem)"
            if let context { text += " (\(context.text) at line \(context.mark.line + source.lineOffset))" }
            return ConfigError(file: source.file, line: mark.line + source.lineOffset, problem: text,
                               expected: "well-formed YAML (indent with spaces, 'key: value')")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return make(problem, mark, context)
        case .reader(let problem, let offset, let value, let yaml):
            // Bad bytes (control characters, invalid UTF-8): name the line they are on.
            let line = offset.map { o in 1 + yaml.utf8.prefix(o).filter { $0 == 0x0A }.count } ?? 1
            let what = value >= 0 ? String(format: " (byte 0x%02X)", value) : ""
            return ConfigError(file: source.file, line: line + source.lineOffset, problem: "invalid YAML: \(problem)\(what)",
                               expected: "UTF-8 YAML text without control characters")
        default:
            // Yams' own descriptions can span lines; an error here is one line.
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
            return ConfigError(file: source.file, line: 1 + source.lineOffset,
                               problem: "invalid YAML: \(first)", expected: "UTF-8 YAML text")
        }
    }

    /// 1-based line of this value in the original file.
    public var line: Int { (node.mark?.line ?? 1) + source.lineOffset }

    /// The last path component, for messages ("count" rather than "dataset.count").
    public var name: String { path.split(separator: ".").last.map(String.init) ?? "document" }

    public func error(_ problem: String, expected: String) -> ConfigError {
        ConfigError(file: source.file, line: line, problem: problem, expected: expected)
    }

    var kindName: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s): return s.string.isEmpty ? "empty" : "'\(s.string)'"
        }
    }

    private var scalarText: String? {
        if case .scalar(let s) = node { return s.string }
        return nil
    }

    private func wrongType(_ expected: String) -> ConfigError {
        error("\(path) is \(kindName)", expected: expected)
    }

    // MARK: Scalars

    public func string() throws -> String {
        guard let s = scalarText, !s.isEmpty else { throw wrongType("a text value") }
        return s
    }

    public func bool() throws -> Bool {
        switch scalarText?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw wrongType("true or false")
        }
    }

    /// An integer in `range` (message names the bounds).
    public func int(in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let s = scalarText, let v = Int(s.replacingOccurrences(of: "_", with: "")) else {
            throw wrongType(ConfigValue.describe(range, integer: true))
        }
        guard range.contains(v) else {
            throw error("\(path) is \(v), out of range", expected: ConfigValue.describe(range, integer: true))
        }
        return v
    }

    /// A non-negative 64-bit integer (seeds).
    public func uint64() throws -> UInt64 {
        guard let s = scalarText, let v = UInt64(s.replacingOccurrences(of: "_", with: "")) else {
            throw wrongType("a whole number from 0 to \(UInt64.max)")
        }
        return v
    }

    /// A finite number in `range`; NaN and infinities are always errors.
    public func double(in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double {
        guard let s = scalarText, !s.isEmpty else { throw wrongType(ConfigValue.describe(range)) }
        let lowered = s.lowercased()
        let yamlSpecial: [String: Double] = [".nan": .nan, ".inf": .infinity, "+.inf": .infinity, "-.inf": -.infinity]
        guard let v = yamlSpecial[lowered] ?? Double(s.replacingOccurrences(of: "_", with: "")) else {
            throw wrongType(ConfigValue.describe(range))
        }
        guard v.isFinite else { throw error("\(path) is \(s), not a finite number", expected: ConfigValue.describe(range)) }
        guard range.contains(v) else {
            throw error("\(path) is \(s), out of range", expected: ConfigValue.describe(range))
        }
        return v
    }

    public func float(in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Float {
        Float(try double(in: range))
    }

    /// One of an enum's raw values.
    public func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws -> E where E.RawValue == String {
        try choice(type, named: \.rawValue)
    }

    /// One of an enum's cases, spelled as `name` spells it.
    public func choice<E: CaseIterable>(_ type: E.Type, named name: (E) -> String) throws -> E {
        guard let s = scalarText, let v = E.allCases.first(where: { name($0) == s }) else {
            throw error("\(path) is \(kindName)", expected: "one of \(E.allCases.map(name).joined(separator: ", "))")
        }
        return v
    }

    private static func describe<T: Comparable & Numeric>(_ r: ClosedRange<T>, integer: Bool = false) -> String {
        let noun = integer ? "an integer" : "a number"
        let lowOpen: Bool
        let highOpen: Bool
        if let lo = r.lowerBound as? Int { lowOpen = lo == Int.min } else if let lo = r.lowerBound as? Double { lowOpen = lo <= -Double.greatestFiniteMagnitude } else { lowOpen = false }
        if let hi = r.upperBound as? Int { highOpen = hi == Int.max } else if let hi = r.upperBound as? Double { highOpen = hi >= Double.greatestFiniteMagnitude } else { highOpen = false }
        switch (lowOpen, highOpen) {
        case (true, true): return noun
        case (false, true): return "\(noun) >= \(r.lowerBound)"
        case (true, false): return "\(noun) <= \(r.upperBound)"
        case (false, false): return "\(noun) from \(r.lowerBound) to \(r.upperBound)"
        }
    }

    // MARK: Collections

    /// The items of a list (`[a, b]` or `- a` lines).
    public func list() throws -> [ConfigValue] {
        guard case .sequence(let seq) = node else { throw wrongType("a list") }
        return seq.enumerated().map { ConfigValue(node: $1, path: "\(path)[\($0)]", source: source) }
    }

    /// The entries of a mapping, checked against `allowed` keys: an unknown or repeated
    /// key is an error at that key's line.
    public func mapping(allowed: [String]) throws -> ConfigMap {
        guard case .mapping(let map) = node else {
            throw wrongType("a mapping with keys \(allowed.joined(separator: ", "))")
        }
        var entries: [String: (key: ConfigValue, value: ConfigValue)] = [:]
        for (k, v) in map {
            let keyValue = ConfigValue(node: k, path: path, source: source)
            guard case .scalar(let ks) = k else {
                throw keyValue.error("a key in \(path.isEmpty ? "the document" : path) is \(keyValue.kindName)", expected: "plain text keys")
            }
            let key = ks.string
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                throw keyValue.error("unknown key '\(key)'\(path.isEmpty ? "" : " in \(path)")",
                                     expected: "one of \(allowed.joined(separator: ", "))")
            }
            guard entries[key] == nil else {
                throw keyValue.error("'\(childPath)' is given twice", expected: "each key once")
            }
            entries[key] = (ConfigValue(node: k, path: childPath, source: source),
                            ConfigValue(node: v, path: childPath, source: source))
        }
        return ConfigMap(owner: self, entries: entries.mapValues(\.value))
    }
}

/// A mapping whose keys have been checked; look values up by key.
public struct ConfigMap {
    public let owner: ConfigValue
    public let entries: [String: ConfigValue]

    public subscript(key: String) -> ConfigValue? { entries[key] }

    /// The value for `key`, or an error at the mapping's line saying it is missing.
    public func required(_ key: String, expected: String) throws -> ConfigValue {
        guard let v = entries[key] else {
            throw owner.error("\(owner.path.isEmpty ? "the document" : owner.path) is missing '\(key)'",
                              expected: "'\(key):' with \(expected)")
        }
        return v
    }
}
