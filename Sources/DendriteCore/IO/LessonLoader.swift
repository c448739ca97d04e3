import Foundation

/// Parses lesson files. The format, all of it:
///
///     ---                                  front matter: an experiment (ExperimentLoader
///     title: The point neuron              keys; `name` defaults to the file name) plus `title`
///     dataset: {name: xor, count: 200}
///     network: {layers: [dense 2]}
///     epochs: 40
///     ---
///     # 1. The point neuron                optional; the title if `title` is absent
///     Introduction in Markdown.
///
///     ## Step heading                      one step per `## ` section
///     Markdown the learner reads.
///
///     ```yaml lab                          optional: settings this step changes, and
///     mode: pb                             what training it must show
///     expect:
///       train_accuracy: ">= 1.0"           ">= X" or "<= X"; metrics: train_accuracy,
///     ```                                  validation_accuracy, test_accuracy, dendrites
///
/// Settings accumulate: step 3 starts from step 2's experiment. Every mistake is a
/// `ConfigError` naming the file and line.
public enum LessonLoader {
    static let fence = "```yaml lab"

    public static func load(path: String) throws -> Lesson {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: 0, problem: "cannot read the lesson file",
                              expected: "a readable UTF-8 Markdown file")
        }
        return try parse(text, file: path)
    }

    /// All `*.md` lessons in `directory`, ordered by file name.
    public static func loadAll(directory: String) throws -> [Lesson] {
        try lessonFiles(in: directory).map { try load(path: $0) }
    }

    public static func lessonFiles(in directory: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigError(file: directory, line: 0, problem: "cannot list the lessons folder",
                              expected: "a folder of lesson .md files")
        }
        return names.filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    public static func parse(_ text: String, file: String) throws -> Lesson {
        // `isNewline`, not "\n": a lesson saved with Windows line endings ("\r\n" is one
        // Character in Swift) would otherwise be a single line.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else {
            throw ConfigError(file: file, line: 1, problem: "the lesson does not start with front matter",
                              expected: "a first line '---', the lesson's settings in YAML, then '---'")
        }
        guard let close = lines.indices.dropFirst().first(where: { lines[$0].trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw ConfigError(file: file, line: 1, problem: "the front matter is never closed",
                              expected: "a line '---' after the lesson's settings")
        }
        var yaml = lines[1..<close].joined(separator: "\n")
        // A lesson's experiment is named after its file unless the front matter says
        // otherwise; appended last so every other key keeps its line number.
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        if !lines[1..<close].contains(where: { $0.hasPrefix("name:") }) {
            yaml += "\nname: \"\(stem)\""
        }
        let root = try ConfigValue.parse(yaml: yaml, source: ConfigSource(file: file, lineOffset: 1))
        let (experiment, map) = try ExperimentLoader.decode(root, extraKeys: ["title"])
        var title = try map["title"]?.string()

        // Split the body into the introduction and `## ` steps, tracking fences so a
        // heading inside a code block is not a step.
        var intro: [String] = []
        var sections: [(title: String, line: Int, lines: [(Int, String)])] = []
        var inFence = false
        for i in (close + 1)..<lines.count {
            let line = lines[i]
            if line.hasPrefix("```") { inFence.toggle() }
            if !inFence, line.hasPrefix("## ") {
                sections.append((String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), i + 1, []))
            } else if sections.isEmpty {
                if !inFence, title == nil, line.hasPrefix("# ") {
                    title = String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
                    continue
                }
                if !line.hasPrefix("# ") { intro.append(line) }
            } else {
                sections[sections.count - 1].lines.append((i + 1, line))
            }
        }
        if inFence {
            throw ConfigError(file: file, line: lines.count, problem: "a code block is never closed",
                              expected: "a closing ``` line")
        }
        guard let title, !title.isEmpty else {
            throw ConfigError(file: file, line: 2, problem: "the lesson has no title",
                              expected: "'title:' in the front matter or a '# Title' line")
        }
        guard !sections.isEmpty else {
            throw ConfigError(file: file, line: close + 1, problem: "the lesson has no steps",
                              expected: "at least one '## Step title' section")
        }

        var current = experiment
        var steps: [LessonStep] = []
        for s in sections {
            var body: [String] = []
            var settings: (start: Int, lines: [String])? = nil
            var inSettings = false
            for (n, line) in s.lines {
                if inSettings {
                    if line.hasPrefix("```") { inSettings = false } else { settings!.lines.append(line) }
                } else if line.trimmingCharacters(in: .whitespaces) == fence {
                    if settings != nil {
                        throw ConfigError(file: file, line: n, problem: "step '\(s.title)' has two settings blocks",
                                          expected: "at most one ```yaml lab block per step")
                    }
                    settings = (n, [])
                    inSettings = true
                } else {
                    body.append(line)
                }
            }
            var expectations: [LessonExpectation] = []
            if let settings {
                let value = try ConfigValue.parse(yaml: settings.lines.joined(separator: "\n"),
                                                  source: ConfigSource(file: file, lineOffset: settings.start))
                let decoded = try ExperimentLoader.decode(value, base: current, extraKeys: ["expect"])
                current = decoded.experiment
                if let e = decoded.map["expect"] { expectations = try decodeExpectations(e) }
            }
            // Settings accumulate: the step's whole experiment is checked here, so a bad
            // combination is reported at load time with the line of the step that made it.
            try current.validate(source: "\(file):\(settings?.start ?? s.line)")
            steps.append(LessonStep(title: s.title, line: s.line,
                                    body: body.joined(separator: "\n").trimmingCharacters(in: .newlines),
                                    experiment: current, expectations: expectations))
        }
        let base = (file as NSString).lastPathComponent
        let number = Int(base.prefix { $0.isNumber }) ?? 0
        return Lesson(file: file, number: number, title: title,
                      introduction: intro.joined(separator: "\n").trimmingCharacters(in: .newlines),
                      experiment: experiment, steps: steps)
    }

    static func decodeExpectations(_ v: ConfigValue) throws -> [LessonExpectation] {
        let m = try v.mapping(allowed: LessonExpectation.Metric.allCases.map(\.rawValue))
        return try LessonExpectation.Metric.allCases.compactMap { metric -> LessonExpectation? in
            guard let c = m[metric.rawValue] else { return nil }
            let text = try c.string().trimmingCharacters(in: .whitespaces)
            let expected = "a quoted condition such as \">= 0.95\" or \"<= 0.75\""
            guard let op = [LessonExpectation.Comparison.atLeast, .atMost].first(where: { text.hasPrefix($0.rawValue) }),
                  let number = Double(text.dropFirst(2).trimmingCharacters(in: .whitespaces)), number.isFinite else {
                throw c.error("'\(text)' is not a condition", expected: expected)
            }
            return LessonExpectation(metric: metric, comparison: op, value: number, line: c.line)
        }
    }
}
