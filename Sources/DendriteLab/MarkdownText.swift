import Foundation

/// The small part of Markdown a lesson step uses, parsed into blocks of styled runs so
/// the lesson panel can wrap and draw it: headings, paragraphs, bullet and numbered
/// lists, code blocks (fenced or indented), tables (`| a | b |` rows), and inside text
/// **bold**, *italic* and `code`. Anything else stays as plain text: a lesson must still
/// read in a terminal.
public enum MarkdownText {
    /// How a run of text is drawn.
    public struct Style: OptionSet, Hashable, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let bold = Style(rawValue: 1)
        public static let italic = Style(rawValue: 2)
        /// Monospace (inline code).
        public static let code = Style(rawValue: 4)
        /// A "What you should see:" / "Try this:" lead-in, drawn as a coloured label.
        public static let label = Style(rawValue: 8)
    }

    /// Text drawn in one style.
    public struct Run: Equatable, Sendable {
        public var text: String
        public var style: Style
        public init(_ text: String, _ style: Style = []) { self.text = text; self.style = style }
    }

    public enum Block: Equatable, Sendable {
        /// `#` to `######`; level 1...6.
        case heading(level: Int, runs: [Run])
        case paragraph([Run])
        /// `- item` or `* item`; `depth` counts indentation steps of two spaces.
        case bullet(depth: Int, runs: [Run])
        /// `3. item`.
        case numbered(number: Int, depth: Int, runs: [Run])
        /// Lines kept exactly as written (fenced with ``` or indented four spaces).
        case code([String])
        /// `| a | b |` rows; the first is the header, a `|---|---|` row after it is dropped.
        case table([[[Run]]])
    }

    /// Lead-ins that mark what the learner should do or look for.
    public static let labels = ["What you should see:", "Try this:"]

    /// Splits `markdown` into blocks. Consecutive text lines join into one paragraph (or
    /// one list item, for continuation lines); blank lines end them.
    public static func parse(_ markdown: String) -> [Block] {
        var blocks: [Block] = []
        var paragraph: [String] = []
        var item: (depth: Int, number: Int?, lines: [String])?
        var code: [String]?
        var indentedCode: [String] = []
        var table: [[[Run]]] = []

        func flushText() {
            if !paragraph.isEmpty {
                blocks.append(.paragraph(inline(paragraph.joined(separator: " "))))
                paragraph = []
            }
            if let i = item {
                let runs = inline(i.lines.joined(separator: " "))
                blocks.append(i.number.map { .numbered(number: $0, depth: i.depth, runs: runs) }
                              ?? .bullet(depth: i.depth, runs: runs))
                item = nil
            }
        }
        func flushTable() {
            if !table.isEmpty { blocks.append(.table(table)) }
            table = []
        }
        func flushIndented() {
            while indentedCode.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { indentedCode.removeLast() }
            if !indentedCode.isEmpty { blocks.append(.code(indentedCode)) }
            indentedCode = []
        }

        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).replacingOccurrences(of: "\t", with: "    ").replacingOccurrences(of: "\r", with: "")
        }
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if code != nil {
                if trimmed.hasPrefix("```") {
                    // Invariant: code (or item) is non-nil inside the fence (or list item) this branch handles.
                    blocks.append(.code(code!))
                    code = nil
                } else {
                    code!.append(line)
                }
                continue
            }
            if trimmed.hasPrefix("```") {
                flushText(); flushIndented()
                code = []
                continue
            }
            let indent = line.prefix { $0 == " " }.count
            // Four spaces start a code block only where a paragraph or item cannot continue.
            if indent >= 4, paragraph.isEmpty, item == nil, !trimmed.isEmpty || !indentedCode.isEmpty {
                indentedCode.append(String(line.dropFirst(4)))
                continue
            }
            flushIndented()
            if let cells = tableRow(trimmed) {
                flushText()
                if !(table.count == 1 && cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } && !$0.isEmpty })) {
                    table.append(cells.map(inline))
                }
                continue
            }
            flushTable()
            if trimmed.isEmpty {
                flushText()
                continue
            }
            if let (level, text) = heading(trimmed) {
                flushText()
                blocks.append(.heading(level: level, runs: inline(text)))
                continue
            }
            if let (number, text) = listItem(trimmed) {
                flushText()
                item = (indent / 2, number, [text])
                continue
            }
            // Invariant: code (or item) is non-nil inside the fence (or list item) this branch handles.
            if item != nil { item!.lines.append(trimmed) } else { paragraph.append(trimmed) }
        }
        if let code { blocks.append(.code(code)) }
        flushText()
        flushTable()
        flushIndented()
        return blocks
    }

    /// The cells of a `| a | b |` line (trimmed), or nil when the line is not a table row.
    static func tableRow(_ s: String) -> [String]? {
        guard s.count >= 2, s.hasPrefix("|"), s.hasSuffix("|") else { return nil }
        return s.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func heading(_ s: String) -> (Int, String)? {
        let hashes = s.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = s.dropFirst(hashes)
        guard rest.first == " " else { return nil }
        return (hashes, rest.trimmingCharacters(in: .whitespaces))
    }

    /// `- x`, `* x`, `+ x` (number nil) or `12. x` / `12) x`.
    static func listItem(_ s: String) -> (Int?, String)? {
        if let f = s.first, "-*+".contains(f), s.dropFirst().first == " " {
            return (nil, s.dropFirst(2).trimmingCharacters(in: .whitespaces))
        }
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 3, let n = Int(digits) else { return nil }
        let rest = s.dropFirst(digits.count)
        guard let mark = rest.first, mark == "." || mark == ")", rest.dropFirst().first == " " else { return nil }
        return (n, rest.dropFirst(2).trimmingCharacters(in: .whitespaces))
    }

    /// Styled runs of one line of text: `code` first (nothing inside it is styled), then
    /// **bold** and *italic* (or __bold__ / _italic_) toggles. An unmatched marker is
    /// literal text. A leading "What you should see:" becomes a `.label` run.
    public static func inline(_ text: String) -> [Run] {
        var runs: [Run] = []
        var rest = Substring(text)
        for label in labels where rest.hasPrefix(label) {
            runs.append(Run(label, .label))
            rest = rest.dropFirst(label.count)
            break
        }
        let chars = Array(rest)
        var style: Style = []
        var current = ""
        func emit() {
            if !current.isEmpty { append(&runs, Run(current, style)) }
            current = ""
        }
        func closes(_ marker: [Character], from i: Int) -> Bool {
            var j = i
            while j + marker.count <= chars.count {
                if Array(chars[j..<(j + marker.count)]) == marker { return true }
                j += 1
            }
            return false
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, "*_`\\".contains(chars[i + 1]) {
                current.append(chars[i + 1]); i += 2; continue
            }
            if c == "`" {
                if let end = chars[(i + 1)...].firstIndex(of: "`") {
                    emit()
                    append(&runs, Run(String(chars[(i + 1)..<end]), style.union(.code)))
                    i = end + 1
                    continue
                }
            }
            if c == "*" || c == "_" {
                let double = i + 1 < chars.count && chars[i + 1] == c
                let marker: [Character] = double ? [c, c] : [c]
                let flag: Style = double ? .bold : .italic
                // Underscores inside words (snake_case names) are not emphasis.
                let inWord = c == "_" && i > 0 && chars[i - 1].isLetter
                    && i + marker.count < chars.count && chars[i + marker.count].isLetter
                if !inWord {
                    if style.contains(flag) {
                        emit(); style.remove(flag); i += marker.count; continue
                    }
                    let next = i + marker.count
                    if next < chars.count, chars[next] != " ", closes(marker, from: next + 1) {
                        emit(); style.insert(flag); i += marker.count; continue
                    }
                }
            }
            current.append(c)
            i += 1
        }
        emit()
        return runs
    }

    /// Appends `run`, merging it into the previous one when the style is the same.
    private static func append(_ runs: inout [Run], _ run: Run) {
        if let last = runs.last, last.style == run.style {
            runs[runs.count - 1].text += run.text
        } else {
            runs.append(run)
        }
    }

    /// The plain text of some runs (for tests and measuring).
    public static func plain(_ runs: [Run]) -> String { runs.map(\.text).joined() }
}
