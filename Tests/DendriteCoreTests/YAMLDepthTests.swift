import Foundation
import Testing
@testable import DendriteCore

/// YAML nesting is counted on the text before Yams composes it (recursively: a small
/// file nested thousands deep overflowed the stack).
@Suite struct YAMLDepthTests {
    @Test func yamlDepthIsCountedOnTheText() throws {
        #expect(YAMLDepth.firstLineDeeper(than: 64, in: "a: 1\nb: {c: [1, 2]}\n") == nil)
        #expect(YAMLDepth.firstLineDeeper(than: 64, in: "a: " + String(repeating: "[", count: 70)) == 1)
        #expect(YAMLDepth.firstLineDeeper(than: 64, in: "a: '" + String(repeating: "[", count: 70) + "'") == nil, "quoted brackets are text")
        var block = ""
        for i in 0..<70 { block += String(repeating: " ", count: i) + "k\(i):\r\n" }
        #expect(YAMLDepth.firstLineDeeper(than: 64, in: block) == 65, "block nesting, CRLF lines")
        #expect(YAMLDepth.firstLineDeeper(than: 64, in: String(repeating: "- ", count: 70) + "x") == 1)
        #expect(throws: ConfigError.self) { _ = try ExperimentLoader.decode(yaml: block, file: "deep.yaml") }
    }
}
