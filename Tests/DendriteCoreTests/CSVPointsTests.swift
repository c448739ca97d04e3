import Foundation
import Testing
@testable import DendriteCore

/// A user's own 2-D points from CSV: parsing, one-line errors, and use from experiment files.
@Suite struct CSVPointsTests {
    func error(_ text: String) -> String {
        do {
            _ = try CSVPoints.parse(text, file: "pts.csv")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func headerCommentsAndBlankLinesAreSkippedAndLabelsMapToClasses() throws {
        let text = "# my points\nx,y,label\n\n0.5,-0.25,-1\n  1 , 2 , 1 \n# more\n-3,4e-1,-1\r\n"
        let d = try CSVPoints.parse(text, file: "pts.csv")
        #expect(d.count == 3)
        #expect(d.sampleShape == [2])
        #expect(d.classCount == 2)
        #expect(d.labels == [0, 1, 0])
        guard case .float(let f) = d.features else { Issue.record("features are not floats"); return }
        #expect(f == [0.5, -0.25, 1, 2, -3, 0.4])
    }

    @Test func distinctLabelsBecomeConsecutiveClassesInOrder() throws {
        let d = try CSVPoints.parse("0,0,7\n0,1,3\n1,0,5\n1,1,3\n", file: "pts.csv")
        #expect(d.classCount == 3)
        #expect(d.labels == [2, 0, 1, 0])
    }

    @Test func badRowNamesFileAndLineInOneLine() {
        let e = error("x,y,label\n# c\n0,0,0\n0.1,oops,1\n")
        #expect(e == "pts.csv:4: '0.1,oops,1' has a coordinate that is not a number; expected x,y,label with numbers")
        #expect(!e.contains("\n"))
    }

    @Test func everyKindOfBadInputIsReported() {
        #expect(error("0,0,0\n1,1\n").hasPrefix("pts.csv:2: 2 columns"))
        #expect(error("0,0,0\n1,1,1,1\n").hasPrefix("pts.csv:2: 4 columns"))
        #expect(error("0,0,0\nnan,1,1\n").hasPrefix("pts.csv:2: 'nan,1,1' has a non-finite coordinate"))
        #expect(error("0,0,0\n1,1e999,1\n").contains("non-finite"))
        #expect(error("0,0,0\n1,1,0.5\n").hasPrefix("pts.csv:2: label '0.5' is not a whole number"))
        #expect(error("0,0,1\n1,1,1\n") == "pts.csv: every row has label 1; expected x,y,label with numbers and at least 2 distinct labels")
        #expect(error("") .hasPrefix("pts.csv: no data rows"))
        #expect(error("# only a comment\nx,y,label\n").hasPrefix("pts.csv: no data rows"))
        for e in [error("0,0,0\n1,1\n"), error("")] { #expect(e.hasSuffix("expected x,y,label with numbers")) }
    }

    @Test func missingFileIsOneLine() {
        #expect(throws: DataError.self) { try CSVPoints.read(path: "/nonexistent/pts.csv") }
    }

    @Test func shippedExampleReads() throws {
        let path = packageRoot().appendingPathComponent("assets/datasets/ring-and-blobs.csv").path
        let d = try CSVPoints.read(path: path)
        #expect(d.count == 480)
        #expect(d.classCount == 2)
        #expect(d.name == "ring-and-blobs")
    }

    @Test func experimentFileReadsCSVRelativeToItsFolderAndSplitsIt() throws {
        let tmp = TempFolder()
        defer { tmp.remove() }
        var rows = "x,y,label\n"
        for i in 0..<50 { rows += "\(Float(i) / 50),\(Float(i % 7) / 7),\(i % 3)\n" }
        try rows.write(toFile: tmp.file("pts.csv"), atomically: true, encoding: .utf8)
        let yaml = """
            name: own
            dataset: {name: csv, file: pts.csv, validation: 0.2}
            network: {layers: [dense 8, tanh, dense 3]}
            epochs: 2
            """
        let e = try ExperimentLoader.decode(yaml: yaml, file: tmp.file("own.yaml"))
        #expect(e.dataset.name == .csv)
        #expect(e.dataset.file == URL(fileURLWithPath: tmp.file("pts.csv")).standardizedFileURL.path)
        #expect(e.dataset.classCount == 3)
        let data = try ExperimentData.load(e.dataset, seed: e.seed)
        #expect(data.train.count == 40)
        #expect(data.validation.count == 10)
        #expect(data.test.count == data.validation.count)
        #expect(data.train.classCount == 3)
        // Written back and read again: the same experiment.
        let again = try ExperimentLoader.decode(yaml: e.yamlText, file: tmp.file("again.yaml"))
        #expect(again == e)
        // Trains end to end.
        let s = try ExperimentSession(e)
        s.trainer.run()
        #expect(s.trainer.history.count == 2)
    }

    @Test func experimentErrorsForCSV() throws {
        let tmp = TempFolder()
        defer { tmp.remove() }
        try "0,0,0\n1,1,1\n0,1,1\n1,0,0\n2,x,1\n".write(toFile: tmp.file("bad.csv"), atomically: true, encoding: .utf8)
        try "0,0,0\n1,1,1\n".write(toFile: tmp.file("ok.csv"), atomically: true, encoding: .utf8)
        func message(_ dataset: String, _ layers: String = "[dense 4, tanh, dense 2]") -> String {
            let yaml = "name: own\ndataset: \(dataset)\nnetwork: {layers: \(layers)}\nepochs: 1\n"
            do {
                _ = try ExperimentLoader.decode(yaml: yaml, file: tmp.file("e.yaml"))
                return "no error"
            } catch { return "\(error)" }
        }
        let bad = message("{name: csv, file: bad.csv}")
        #expect(bad.contains("bad.csv:5:"), "\(bad)")
        #expect(bad.hasPrefix(tmp.file("e.yaml") + ":2"), "\(bad)")
        #expect(!bad.contains("\n"))
        #expect(message("csv").contains("needs its file"))
        #expect(message("{name: csv}").contains("no 'file'"))
        #expect(message("{name: csv, file: ok.csv, count: 10}").contains("'count' applies only to toy datasets"))
        #expect(message("{name: xor, file: ok.csv}").contains("'file' applies only to dataset csv"))
        #expect(message("{name: csv, file: ok.csv}", "[dense 4, tanh, dense 3]").contains("has 2 classes"))
        #expect(message("{name: csv, file: ok.csv}") == "no error")
    }

    @Test func lessonFrontMatterReadsCSVNextToTheLesson() throws {
        let tmp = TempFolder()
        defer { tmp.remove() }
        try "x,y,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n0.5,0.5,1\n".write(toFile: tmp.file("pts.csv"), atomically: true, encoding: .utf8)
        let md = """
            ---
            title: My points
            dataset: {name: csv, file: pts.csv}
            network: {layers: [dense 4, tanh, dense 2]}
            epochs: 3
            ---
            # My points

            ## Step 1: train

            Press Space.
            """
        let lesson = try LessonLoader.parse(md, file: tmp.file("lesson.md"))
        let spec = try #require(lesson.steps.first).experiment.dataset
        #expect(spec.file == URL(fileURLWithPath: tmp.file("pts.csv")).standardizedFileURL.path)
        #expect(spec.classCount == 2)
    }
}
