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
///     ```yaml lab                          optional: settings this step changes, the
///     mode: pb                             moment its text describes, what is selected
///     at: {dendrite_phase: 1, epochs: 10}  there, and what training must show there
///     select: output 1 candidate          picture: true marks the lesson's picture
///     expect:
///       train_accuracy: ">= 1.0"           ">= X" or "<= X" (see LessonExpectation.Metric)
///       phase: P                           text metrics: phase, error_quadrants
///     ```
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

        let (intro, sections) = try splitBody(lines, from: close + 1, title: &title, file: file)
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
        for section in sections {
            let step = try makeStep(section, after: current, file: file)
            current = step.experiment
            steps.append(step)
        }
        let base = (file as NSString).lastPathComponent
        let number = Int(base.prefix { $0.isNumber }) ?? 0
        return Lesson(file: file, number: number, title: title,
                      introduction: intro.joined(separator: "\n").trimmingCharacters(in: .newlines),
                      experiment: experiment, steps: steps)
    }

    /// One `## ` section of a lesson body: its title, its heading's line, its lines.
    typealias Section = (title: String, line: Int, lines: [(Int, String)])

    /// Splits the body (from line index `start`) into the introduction and `## ` steps,
    /// tracking fences so a heading inside a code block is not a step. A `# Title` line
    /// before the first step sets `title` when the front matter did not.
    static func splitBody(_ lines: [String], from start: Int, title: inout String?,
                          file: String) throws -> (intro: [String], sections: [Section]) {
        var intro: [String] = []
        var sections: [Section] = []
        var inFence = false
        for i in start..<lines.count {
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
        return (intro, sections)
    }

    /// One step: its text, and its experiment, which is the previous step's (`current`)
    /// with this step's settings block applied. Settings accumulate, so the whole
    /// experiment is validated here and a bad combination is reported at load time with
    /// the line of the step that made it.
    static func makeStep(_ s: Section, after current: Experiment, file: String) throws -> LessonStep {
        var body: [String] = []
        var settings: (start: Int, lines: [String])? = nil
        var inSettings = false
        for (n, line) in s.lines {
            if inSettings {
                if line.hasPrefix("```") { inSettings = false } else { settings?.lines.append(line) }
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
        var experiment = current
        var expectations: [LessonExpectation] = []
        var moment = LessonMoment()
        var selection: LessonSelection?
        var isPicture = false, showsInspector = false
        if let settings {
            let value = try ConfigValue.parse(yaml: settings.lines.joined(separator: "\n"),
                                              source: ConfigSource(file: file, lineOffset: settings.start))
            let decoded = try ExperimentLoader.decode(value, base: current, extraKeys: ["expect", "at", "select", "picture", "inspector"])
            experiment = decoded.experiment
            if let e = decoded.map["expect"] { expectations = try decodeExpectations(e) }
            if let a = decoded.map["at"] { moment = try decodeMoment(a) }
            if let v = decoded.map["select"] { selection = try decodeSelection(v) }
            if let v = decoded.map["picture"] { isPicture = try v.bool() }
            if let v = decoded.map["inspector"] { showsInspector = try v.bool() }
        }
        try experiment.validate(source: "\(file):\(settings?.start ?? s.line)")
        return LessonStep(title: s.title, line: s.line,
                          body: body.joined(separator: "\n").trimmingCharacters(in: .newlines),
                          experiment: experiment, expectations: expectations, moment: moment,
                          selection: selection, isPicture: isPicture, showsInspector: showsInspector)
    }

    /// `{dendrite_phase: K, epochs: N}`, `{dendrites: K, epochs: N}` or `{epochs: N}`.
    static func decodeMoment(_ v: ConfigValue) throws -> LessonMoment {
        let m = try v.mapping(allowed: ["dendrite_phase", "dendrites", "epochs"])
        let moment = LessonMoment(dendritePhase: try m["dendrite_phase"]?.int(in: 1...1000),
                                  dendrites: try m["dendrites"]?.int(in: 1...1000),
                                  epochs: try m["epochs"]?.int(in: 0...1_000_000))
        if moment.dendritePhase != nil && moment.dendrites != nil {
            throw v.error("both dendrite_phase and dendrites", expected: "one event: dendrite_phase or dendrites, plus epochs")
        }
        if moment.isEnd { throw v.error("an empty moment", expected: "{dendrite_phase: K, epochs: N}, {dendrites: K, epochs: N} or {epochs: N}") }
        return moment
    }

    /// "output 1", "output 1 candidate", "output 1 dendrite 2", "hidden 1 neuron 3"
    /// (numbers from 1, as the Lab shows them).
    static func decodeSelection(_ v: ConfigValue) throws -> LessonSelection {
        let expected = "'output N', 'hidden L neuron N', optionally followed by 'candidate' or 'dendrite K' (numbers from 1)"
        let words = try v.string().split(separator: " ").map(String.init)
        var i = 0
        func number() throws -> Int {
            guard i < words.count, let n = Int(words[i]), n >= 1 else { throw v.error("'\(try v.string())' is not a selection", expected: expected) }
            i += 1
            return n
        }
        var s = LessonSelection()
        guard let first = words.first else { throw v.error("an empty selection", expected: expected) }
        i = 1
        switch first {
        case "output": s.unit = try number() - 1
        case "hidden":
            s.layer = try number()
            guard i < words.count, words[i] == "neuron" else { throw v.error("'\(try v.string())' is not a selection", expected: expected) }
            i += 1
            s.unit = try number() - 1
        default: throw v.error("'\(first)' is not a layer", expected: expected)
        }
        if i < words.count {
            if words[i] == "candidate" { s.branch = .candidate; i += 1 }
            else if words[i] == "dendrite" { i += 1; s.branch = .dendrite(try number() - 1) }
        }
        guard i == words.count else { throw v.error("'\(try v.string())' is not a selection", expected: expected) }
        return s
    }

    static func decodeExpectations(_ v: ConfigValue) throws -> [LessonExpectation] {
        let m = try v.mapping(allowed: LessonExpectation.Metric.allCases.map(\.rawValue))
        return try LessonExpectation.Metric.allCases.compactMap { metric -> LessonExpectation? in
            guard let c = m[metric.rawValue] else { return nil }
            let text = try c.string().trimmingCharacters(in: .whitespaces)
            switch metric {
            case .phase:
                guard text == "P" || text == "N" else { throw c.error("'\(text)' is not a phase", expected: "P (dendrite phase) or N (neuron phase)") }
                return LessonExpectation(metric: metric, comparison: .equals, value: 0, text: text, line: c.line)
            case .errorQuadrants:
                let signs = text.split(separator: " ")
                guard signs.count == 4, signs.allSatisfy({ ["+", "-", "0"].contains($0) }) else {
                    throw c.error("'\(text)' is not four signs", expected: "four of + - 0 separated by spaces, quadrants x>0 y>0, x<0 y>0, x<0 y<0, x>0 y<0")
                }
                return LessonExpectation(metric: metric, comparison: .equals, value: 0, text: text, line: c.line)
            case .branchInputs:
                // Normalised spacing, so "x1|x2" and "x1 | x2" are the same claim.
                let sets = text.split(separator: "|").map { $0.split(separator: " ").joined(separator: " ") }
                let word = /(all|[xh][1-9][0-9]*)/
                guard !sets.isEmpty, sets.allSatisfy({ !$0.isEmpty && $0.split(separator: " ").allSatisfy { (try? word.wholeMatch(in: String($0))) != nil } }) else {
                    throw c.error("'\(text)' is not a list of branch inputs", expected: "each dendrite set's inputs separated by |, e.g. \"x1 | x2\" or \"all | all\"")
                }
                return LessonExpectation(metric: metric, comparison: .equals, value: 0, text: sets.joined(separator: " | "), line: c.line)
            default: break
            }
            let expected = "a quoted condition such as \">= 0.95\" or \"<= 0.75\""
            guard let op = [LessonExpectation.Comparison.atLeast, .atMost].first(where: { text.hasPrefix($0.rawValue) }),
                  let number = Double(text.dropFirst(2).trimmingCharacters(in: .whitespaces)), number.isFinite else {
                throw c.error("'\(text)' is not a condition", expected: expected)
            }
            return LessonExpectation(metric: metric, comparison: op, value: number, line: c.line)
        }
    }
}
