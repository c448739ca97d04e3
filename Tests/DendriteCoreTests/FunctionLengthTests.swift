import Foundation
import Testing

/// The engine reads in an afternoon: no function or initialiser in `DendriteCore` runs
/// over 80 lines (from its `func` or `init` line to the brace that closes it at the same
/// indentation). A longer one fails here with file, line and length.
@Suite struct FunctionLengthTests {
    static let limit = 80

    /// (line number, length) of every function or initialiser in `code`.
    static func functions(in code: String) -> [(line: Int, length: Int)] {
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try! NSRegularExpression(   // Invariant: a constant pattern.
            pattern: #"^(\s*)(?:@[\w()]+\s+)*(?:(?:public|private|fileprivate|internal|static|final|override|mutating|nonisolated|convenience|required)\s+)*(?:func|init)\b"#)
        var out: [(Int, Int)] = []
        for (i, line) in lines.enumerated() {
            guard let m = start.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                  let r = Range(m.range(at: 1), in: line) else { continue }
            let close = String(line[r]) + "}"
            if let j = lines[(i + 1)...].firstIndex(where: { $0 == close }) { out.append((i + 1, j - i + 1)) }
        }
        return out
    }

    @Test func everyCoreFunctionIsShort() throws {
        var long: [String] = []
        var count = 0
        for (folder, file, code) in try LayeringTests.sources() {
            for f in Self.functions(in: code) {
                count += 1
                if f.length > Self.limit { long.append("Sources/DendriteCore/\(folder)/\(file):\(f.line): \(f.length) lines") }
            }
        }
        #expect(count > 300, "the scan should find the engine's functions; found \(count)")
        #expect(long.isEmpty, "functions over \(Self.limit) lines:\n\(long.joined(separator: "\n"))")
    }

    @Test func theScanMeasuresFromSignatureToClosingBrace() {
        let code = "struct S {\n    func f() {\n        a()\n        b()\n    }\n    public init(x: Int) {\n    }\n}"
        let found = Self.functions(in: code)
        #expect(found.map(\.line) == [2, 6])
        #expect(found.map(\.length) == [4, 2])
    }
}
