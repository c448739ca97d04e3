import Testing
@testable import DendriteCore

@Suite struct MNISTCSVTests {
    static func parse(_ text: String, chunk: Int = 5) throws -> MNISTCSVParser {
        var p = MNISTCSVParser(file: "m.csv", pixelsPerImage: 4)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            try bytes[i..<min(i + chunk, bytes.count)].withUnsafeBytes { try p.feed($0) }
            i += chunk
        }
        try p.finish()
        return p
    }

    @Test(arguments: [1, 2, 5, 1000])
    func parsesHeaderThenLabelAndPixelsWhateverTheChunking(chunk: Int) throws {
        let p = try Self.parse("label,1x1,1x2,2x1,2x2\r\n5,0,255,17,3\r\n0,1,2,3,4\r\n", chunk: chunk)
        #expect(p.labels == [5, 0])
        #expect(p.pixels == [0, 255, 17, 3, 1, 2, 3, 4])
    }

    @Test func lastLineWithoutNewlineIsKept() throws {
        let p = try Self.parse("h\n1,1,1,1,1\n2,2,2,2,2")
        #expect(p.labels == [1, 2])
    }

    @Test(arguments: [("h\n1,1,1,1\n", "fields"), ("h\n1,1,1,1,1,1\n", "fields"),
                      ("h\n1,1,300,1,1\n", "255"), ("h\n12,1,1,1,1\n", "label"),
                      ("h\n1,1,x,1,1\n", "character"), ("h\n1,1,,1,1\n", "empty")])
    func badLinesAreReportedWithTheirLineNumber(text: String, problem: String) {
        do {
            _ = try Self.parse(text)
            Issue.record("no error for \(text)")
        } catch let e as DataError {
            #expect(e.kind == .badRecord)
            #expect(e.description.hasPrefix("m.csv line 2:"), "\(e)")
            #expect(e.description.contains(problem), "\(e)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func headerOnlyIsAnError() {
        #expect(throws: DataError.self) { _ = try Self.parse("label,a,b,c,d\n") }
    }
}
