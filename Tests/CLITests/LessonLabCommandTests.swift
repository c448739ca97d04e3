import Foundation
import Testing

/// `lab [LESSON]` and `render --lesson`, run as a user would run them, with lesson files
/// the tests write.
@Suite struct LessonLabCommandTests {
    static let goodLesson = """
        ---
        name: cli-lesson
        title: A lesson for the CLI
        dataset: {name: xor, count: 80}
        network: {layers: [dense 4, tanh, dense 2]}
        seed: 2
        epochs: 5
        ---
        ## Only step
        Some **text**.
        """

    /// A folder with `lessons/01-good.md` (and `extra` files) to run the executable in.
    static func folder(_ extra: [String: String] = [:]) throws -> URL {
        let dir = CLI.temporaryFolder("lessons")
        let lessons = dir.appendingPathComponent("lessons")
        try FileManager.default.createDirectory(at: lessons, withIntermediateDirectories: true)
        try goodLesson.write(to: lessons.appendingPathComponent("01-good.md"), atomically: true, encoding: .utf8)
        for (name, text) in extra {
            try text.write(to: lessons.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir
    }

    static func run(_ args: [String], in dir: URL, display: Bool = false) throws -> CLI.Result {
        try CLI.run(args, environment: display ? [:] : CLI.noDisplay, in: dir)
    }

    @Test func aBadLessonFilePrintsOneLineNamingFileAndLine() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.md")
        try "---\nname: x\ntitle: Bad\ndataset: {name: xor}\nnetwork: {layers: [dense 2]}\nmode: pbb\n---\n## Step\ntext\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        for args in [["lab", bad.path], ["render", "--lesson", bad.path, "--out", dir.appendingPathComponent("x.png").path]] {
            let r = try Self.run(args, in: dir)
            #expect(r.status != 0)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "expected one line, got: \(r.stderr)")
            #expect(r.stderr.hasPrefix("\(bad.path):6: "), "\(r.stderr)")
            #expect(r.stderr.contains("pbb"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.png").path))
    }

    /// `lab --branch-inputs` takes the experiment files' forms and names them when refused.
    @Test func aBadBranchInputsValueNamesTheFormsItTakes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for bad in ["local x", "local 0", "near 2"] {
            let r = try Self.run(["lab", "--branch-inputs", bad], in: dir)
            #expect(r.status != 0 && !r.crashed)
            #expect(r.stderr.contains("'\(bad)'") && r.stderr.contains("'local K'"), "\(r.stderr)")
        }
    }

    @Test func anUnknownLessonNumberListsTheLessonsThereAre() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.run(["lab", "7"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("there is no lesson 7"))
        #expect(r.stderr.contains("01-good.md"))
    }

    @Test func renderByNumberWritesTheLessonStepAsPNG() throws {
        let elsewhere = CLI.temporaryFolder("lessons-out")
        let dir = try Self.folder()
        defer {
            try? FileManager.default.removeItem(at: dir)
            try? FileManager.default.removeItem(at: elsewhere)
        }
        let png = elsewhere.appendingPathComponent("lesson.png").path
        // --lessons points at the folder from anywhere.
        let r = try Self.run(["render", "--lesson", "1", "--lessons", dir.appendingPathComponent("lessons").path,
                              "--out", png, "--epochs", "1"], in: elsewhere)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("after 1 epochs"))
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test func withoutArgumentsTheFirstLessonOpens() throws {
        // The first lesson (by file name) is broken, so opening it shows in its error.
        let dir = try Self.folder(["00-broken.md": "no front matter\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.run([], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("00-broken.md:1: "), "\(r.stderr)")
        // `lab` with playground options stays the playground (here: no display).
        let p = try Self.run(["lab", "--dataset", "spiral"], in: dir)
        #expect(p.status != 0)
        #expect(p.stderr.contains("xvfb-run"), "\(p.stderr)")
    }
}
