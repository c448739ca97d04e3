import Foundation
import Testing
@testable import DendriteCore

/// The lessons in lessons/ load, and every "what you should see" they state as an
/// expectation is what the engine does when the step is trained headless.
@Suite struct LessonTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var lessonsDir: String { root.appendingPathComponent("lessons").path }

    @Test func everyLessonLoadsWithStepsAndATitle() throws {
        let lessons = try LessonLoader.loadAll(directory: Self.lessonsDir)
        #expect(lessons.count >= 8)
        #expect(lessons.map(\.number) == Array(0..<lessons.count))
        for l in lessons {
            #expect(!l.title.isEmpty && !l.steps.isEmpty, "\(l.file)")
            #expect(l.steps.allSatisfy { !$0.body.isEmpty }, "\(l.file) has an empty step")
        }
    }

    /// Every step that tells the learner what they should see states it as a check, and
    /// asks a "predict, then press Space" question first somewhere in its lesson.
    @Test func everyWhatYouShouldSeeIsChecked() throws {
        for l in try LessonLoader.loadAll(directory: Self.lessonsDir) {
            for s in l.steps where s.body.contains("What you should see") {
                #expect(!s.expectations.isEmpty, "\(l.file):\(s.line): step '\(s.title)' says what to see but checks nothing")
            }
            #expect(l.steps.contains { $0.body.contains("Predict, then press Space") }, "\(l.file) asks no question")
        }
    }

    @Test(arguments: try! LessonLoader.lessonFiles(in: LessonTests.lessonsDir))
    func lessonClaimsHoldWhenTrained(path: String) throws {
        let lesson = try LessonLoader.load(path: path)
        for outcome in try LessonRunner.check(lesson) {
            #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        }
    }

    @Test func stepSettingsAccumulateAndExpectationsParse() throws {
        let text = """
            ---
            title: Test
            dataset: {name: xor, count: 40}
            network: {layers: [dense 1]}
            epochs: 3
            ---
            Intro.

            ## One
            Read this.

            ```yaml lab
            mode: gd
            expect:
              dendrites: "<= 0"
            ```

            ## Two
            ```yaml lab
            epochs: 5
            ```
            """
        let l = try LessonLoader.parse(text, file: "07-test.md")
        #expect(l.number == 7 && l.title == "Test" && l.experiment.name == "07-test")
        #expect(l.steps.map(\.title) == ["One", "Two"])
        #expect(l.steps[0].body == "Read this.")
        #expect(l.steps[1].experiment.mode == .gd)          // carried over from step 1
        #expect(l.steps[1].experiment.epochs == 5)
        #expect(l.steps[0].expectations == [LessonExpectation(metric: .dendrites, comparison: .atMost, value: 0, line: 15)])
    }

    /// A lesson's claim edited to something false fails, naming the file and the claim's line.
    @Test func aFalseClaimFailsWithFileAndLine() throws {
        let file = try LessonLoader.lessonFiles(in: Self.lessonsDir).first { $0.hasSuffix("03-error-signals.md") }!
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let claim = "error_quadrants: \"- + - +\""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains(claim) }) + 1
        let honest = try LessonLoader.parse(text, file: file)
        #expect(try LessonRunner.run(honest, step: 0).failures.isEmpty)
        let lie = try LessonLoader.parse(text.replacingOccurrences(of: claim, with: "error_quadrants: \"+ + + +\""), file: file)
        let failures = try LessonRunner.run(lie, step: 0).failures
        #expect(failures.count == 1)
        #expect(failures.first?.hasPrefix("\(file):\(line): step 1") == true, "\(failures)")
        #expect(failures.first?.contains("measured \"- + - +\"") == true, "\(failures)")
    }

    @Test func momentsSelectionsAndEngineFactsParse() throws {
        let text = """
            ---
            title: T
            dataset: {name: xor, count: 40}
            network: {layers: [dense 1]}
            mode: pb
            epochs: 3
            ---
            ## S
            ```yaml lab
            at: {dendrite_phase: 1, epochs: 10}
            select: output 1 candidate
            expect:
              phase: P
              candidate_correlation: ">= 0.3"
              error_quadrants: "- + - +"
            ```
            ## T
            ```yaml lab
            select: hidden 2 neuron 3 dendrite 2
            ```
            """
        let l = try LessonLoader.parse(text, file: "t.md")
        #expect(l.steps[0].moment == LessonMoment(dendritePhase: 1, epochs: 10))
        #expect(l.steps[0].selection == LessonSelection(layer: nil, unit: 0, branch: .candidate))
        #expect(l.steps[1].selection == LessonSelection(layer: 2, unit: 2, branch: .dendrite(1)))
        #expect(l.steps[0].expectations.map(\.metric) == [.phase, .candidateCorrelation, .errorQuadrants])
        #expect(l.steps[0].expectations[2].text == "- + - +" && l.steps[0].expectations[2].line == 15)
        func error(_ block: String) -> ConfigError? {
            let t = "---\ntitle: T\ndataset: xor\nnetwork: {layers: [dense 1]}\nepochs: 3\n---\n## S\n```yaml lab\n" + block + "```\n"
            do { _ = try LessonLoader.parse(t, file: "b.md"); return nil } catch { return error as? ConfigError }
        }
        #expect(error("expect:\n  phase: Q\n")?.line == 10)
        #expect(error("expect:\n  error_quadrants: \"+ +\"\n")?.line == 10)
        #expect(error("expect:\n  branch_inputs: \"x1 || y2\"\n")?.line == 10)
        #expect(error("expect:\n  branch_inputs: \"x0\"\n")?.line == 10)
        let spaced = try LessonLoader.parse("---\ntitle: T\ndataset: xor\nnetwork: {layers: [dense 1]}\nepochs: 3\n---\n## S\n```yaml lab\nexpect:\n  branch_inputs: \"x1|x2  h3 | all\"\n```\n", file: "b.md")
        #expect(spaced.steps[0].expectations[0].text == "x1 | x2 h3 | all")
        #expect(error("select: sideways 1\n")?.line == 9)
        #expect(error("at: {dendrites: 1, dendrite_phase: 1}\n")?.line == 9)
    }

    /// A deliberately broken lesson names the file and the exact line.
    @Test(arguments: [
        ("mode: sideways\n", 5, "mode"),                      // bad value in front matter
        ("epochs: -3\n", 5, "epochs"),                        // out of range
        ("colour: red\n", 5, "unknown key 'colour'"),         // unknown key
    ])
    func brokenFrontMatterReportsFileAndLine(extra: String, line: Int, mentions: String) {
        let text = "---\ntitle: T\ndataset: xor\nnetwork: {layers: [dense 1]}\n" + extra.replacingOccurrences(of: "epochs: -3\n", with: "epochs: -3\n") + (extra.hasPrefix("epochs") ? "" : "epochs: 3\n") + "---\n## S\ntext\n"
        do {
            _ = try LessonLoader.parse(text, file: "broken.md")
            Issue.record("parsed a broken lesson")
        } catch let e as ConfigError {
            #expect(e.file == "broken.md" && e.line == line, "\(e)")
            #expect(e.description.contains(mentions), "\(e)")
            #expect(!e.description.contains("\n"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func brokenStepBlockAndStructureReportLines() {
        func error(_ text: String) -> ConfigError? {
            do { _ = try LessonLoader.parse(text, file: "b.md"); return nil } catch { return error as? ConfigError }
        }
        let head = "---\ntitle: T\ndataset: xor\nnetwork: {layers: [dense 1]}\nepochs: 3\n---\n"
        // Line 10 is the bad condition inside the step's block (block starts at line 8).
        let badExpect = error(head + "## S\n```yaml lab\nexpect:\n  train_accuracy: \"about 1\"\n```\n")
        #expect(badExpect?.line == 10, "\(String(describing: badExpect))")
        let badKey = error(head + "## S\ntext\n```yaml lab\nlearning: fast\n```\n")
        #expect(badKey?.line == 10, "\(String(describing: badKey))")
        #expect(error("no front matter\n")?.line == 1)
        #expect(error(head + "just an intro\n")?.description.contains("no steps") == true)
        #expect(error(head + "## S\n```yaml lab\nmode: pb\n")?.description.contains("never closed") == true)
    }
}
