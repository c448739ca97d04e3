import Foundation
import Testing

/// No trap reachable from input (docs/reliability.md): every `!` force-unwrap, `try!`,
/// `as!`, `precondition`, `preconditionFailure` and `fatalError` in the engine, the Lab
/// and the CLI carries a comment naming the invariant that keeps input away from it, on
/// one of the four lines above it. A new unexplained one fails here with its file and line.
@Suite struct TrapAuditTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// A trap in one line of code (comments and string literals aside).
    static func hasTrap(_ line: String) -> Bool {
        var code = line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? line
        code = code.replacingOccurrences(of: #""(?:[^"\\]|\\.)*""#, with: "\"\"", options: .regularExpression)
        let patterns = [#"try!"#, #"\bas!"#, #"\bfatalError\("#, #"\bprecondition\("#, #"\bpreconditionFailure\("#,
                        #"[\w\)\]]!(?=[\.\)\],;\s]|$)"#]
        return patterns.contains { code.range(of: $0, options: .regularExpression) != nil }
    }

    @Test func everyTrapNamesItsInvariant() throws {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: Self.sources.path) else {
            Issue.record("cannot list \(Self.sources.path)")
            return
        }
        var unexplained: [String] = []
        var traps = 0
        for case let path as String in walker where path.hasSuffix(".swift") {
            let lines = try String(contentsOf: Self.sources.appendingPathComponent(path), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (i, line) in lines.enumerated() where Self.hasTrap(line) {
                traps += 1
                let context = lines[max(0, i - 4)...i].joined(separator: "\n")
                if !context.localizedCaseInsensitiveContains("invariant") {
                    unexplained.append("Sources/\(path):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(traps > 50, "the audit should see the kernels' traps; found \(traps)")
        #expect(unexplained.isEmpty, "traps without an invariant comment:\n\(unexplained.joined(separator: "\n"))")
    }

    @Test func theAuditRecognisesTraps() {
        #expect(Self.hasTrap("let x = a!.b"))
        #expect(Self.hasTrap("f(p.baseAddress!)"))
        #expect(Self.hasTrap("let v = try! load()"))
        #expect(Self.hasTrap("precondition(n > 0)"))
        #expect(!Self.hasTrap("if a != b { }"))
        #expect(!Self.hasTrap("let s = \"Hello!\""))
        #expect(!Self.hasTrap("// a comment with x!.y"))
    }
}
