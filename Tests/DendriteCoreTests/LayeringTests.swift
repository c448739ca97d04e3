import Foundation
import Testing

/// The engine's folders point one way (docs/design.md 3): a folder may use the types of
/// the folders before it in `LayeringTests.order`, never of one after it. A type belongs
/// to the folder that declares it; a use is its name as a whole word outside comments.
@Suite struct LayeringTests {
    static let order = ["System", "Tensor", "Data", "Layers", "Optimizers", "Dendrites", "Training", "IO", "Experiment", "Runs",
                        "Sweep"]
    static let core = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/DendriteCore")

    /// (folder, file name, source) for every Swift file of the engine.
    static func sources() throws -> [(folder: String, file: String, code: String)] {
        let fm = FileManager.default
        var out: [(String, String, String)] = []
        for folder in try fm.contentsOfDirectory(atPath: core.path).sorted() {
            let dir = core.appendingPathComponent(folder)
            for file in try fm.contentsOfDirectory(atPath: dir.path).sorted() where file.hasSuffix(".swift") {
                out.append((folder, file, try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)))
            }
        }
        return out
    }

    static func withoutComments(_ code: String) -> String {
        code.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .joined(separator: "\n")
    }

    /// Types declared at the top level (nested ones such as `CodingKeys` belong to their type).
    static func declaredTypes(in code: String) -> [String] {
        let pattern = #"(?m)^(?:(?:public|internal|private|fileprivate|final|indirect)\s+)*(?:struct|class|enum|protocol|typealias|actor)\s+([A-Z][A-Za-z0-9_]*)"#
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: code, range: NSRange(code.startIndex..., in: code)).compactMap {
            Range($0.range(at: 1), in: code).map { String(code[$0]) }
        }
    }

    static func uses(_ type: String, in code: String) -> Bool {
        code.range(of: "\\b\(type)\\b", options: .regularExpression) != nil
    }

    /// Every use of a type from a later folder, as "Folder/File.swift uses Type (Later)".
    static func violations(_ sources: [(folder: String, file: String, code: String)]) -> [String] {
        let files = sources.map { (folder: $0.folder, file: $0.file, code: withoutComments($0.code)) }
        var owner: [String: String] = [:]
        for f in files { for t in declaredTypes(in: f.code) where owner[t] == nil { owner[t] = f.folder } }
        var found: [String] = []
        for f in files {
            guard let level = order.firstIndex(of: f.folder) else { continue }
            for (type, folder) in owner.sorted(by: { $0.key < $1.key }) {
                guard let l = order.firstIndex(of: folder), l > level, uses(type, in: f.code) else { continue }
                found.append("\(f.folder)/\(f.file) uses \(type) (\(folder))")
            }
        }
        return found
    }

    @Test func everyEngineFolderIsInTheOrder() throws {
        let folders = Set(try Self.sources().map(\.folder))
        #expect(folders.subtracting(Self.order).isEmpty, "add new folders to LayeringTests.order: \(folders.subtracting(Self.order))")
    }

    @Test func foldersUseOnlyTheFoldersBeforeThem() throws {
        let v = Self.violations(try Self.sources())
        #expect(v.isEmpty, "\(v.joined(separator: "\n"))")
    }

    /// The check itself finds a use that points the wrong way.
    @Test func aWrongWayUseIsFound() {
        let files = [(folder: "Tensor", file: "A.swift", code: "struct Low { var h: High }"),
                     (folder: "Training", file: "B.swift", code: "public final class High { var l: Low } // Lower"),
                     (folder: "Dendrites", file: "C.swift", code: "enum Mid { } // uses High only in a comment")]
        #expect(Self.violations(files) == ["Tensor/A.swift uses High (Training)"])
    }
}
