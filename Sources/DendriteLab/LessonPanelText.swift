/// Word wrap for the lesson panel: Markdown blocks become lines of styled pieces and
/// shaded bands, measured by a function so tests can use a stand-in font.
extension LessonPanel {
    /// A font: size in points and face.
    struct Font: Hashable {
        var size: Int
        var bold = false
        var italic = false
        var mono = false
    }

    /// Text placed on a line, `x` from the body's left edge.
    struct Piece {
        var x: Float
        var width: Float
        var text: String
        var font: Font
        var color: Color
        /// Shading behind the text (inline code, labels).
        var background: Color?
    }

    struct Line {
        /// Top of the line, from the top of the laid-out text.
        var y: Float
        var height: Float
        var pieces: [Piece]
    }

    /// A shaded band behind a block (code blocks, "What you should see:" callouts).
    struct Band {
        var y: Float
        var height: Float
        var fill: Color
        var bar: Color?
    }

    struct Layout {
        var lines: [Line] = []
        var bands: [Band] = []
        var height: Float = 0
    }

    typealias Measure = (String, Font) -> Float

    static let bodyFont = Font(size: 14)
    static let codeFont = Font(size: 13, mono: true)

    /// Colour of a lead-in label ("What you should see:" green, "Try this:" violet).
    static func labelColor(_ text: String, theme t: Theme) -> Color {
        text.hasPrefix("Try") ? t.accent : Color(hex: 0x15803D)
    }

    /// Lays `blocks` out in a column `width` pixels wide.
    static func layout(_ blocks: [MarkdownText.Block], width: Float, theme t: Theme, measure: Measure) -> Layout {
        var out = Layout()
        var y: Float = 0
        let blockGap: Float = 9

        /// Greedy word wrap of `runs` starting at `indent`, continuation lines at `hang`.
        func wrap(_ runs: [MarkdownText.Run], base: Font, color: Color, indent: Float, hang: Float,
                  lineHeight: Float, prefix: Piece? = nil) {
            var pieces: [Piece] = prefix.map { [$0] } ?? []
            var x = indent
            func newLine() {
                out.lines.append(Line(y: y, height: lineHeight, pieces: pieces))
                y += lineHeight
                pieces = []
                x = hang
            }
            for run in runs {
                var font = base
                if run.style.contains(.bold) || run.style.contains(.label) { font.bold = true }
                if run.style.contains(.italic) { font.italic = true }
                if run.style.contains(.code) { font = Font(size: base.size - 1, bold: font.bold, mono: true) }
                var c = color
                var background: Color?
                if run.style.contains(.label) { c = labelColor(run.text, theme: t) }
                if run.style.contains(.code) { background = Color(hex: 0xEEF0F3); c = Color(hex: 0x9F1239) }
                // Words with the space that follows them, so spacing survives the split.
                for word in words(run.text) {
                    let bare = word.hasSuffix(" ") ? String(word.dropLast()) : word
                    let w = measure(word, font), wBare = measure(bare, font)
                    if x + wBare > width && x > hang && !pieces.isEmpty { newLine() }
                    if word == " " && x == hang { continue }
                    // Merge with the previous piece when the look is the same.
                    if let last = pieces.last, last.font == font, last.color == c, last.background == background,
                       abs(last.x + last.width - x) < 0.5 {
                        pieces[pieces.count - 1].text += word
                        pieces[pieces.count - 1].width += w
                    } else {
                        pieces.append(Piece(x: x, width: w, text: word, font: font, color: c, background: background))
                    }
                    x += w
                }
            }
            if !pieces.isEmpty { newLine() }
        }

        for (i, block) in blocks.enumerated() {
            if i > 0 { y += blockGap }
            switch block {
            case .heading(let level, let runs):
                if i > 0 { y += 4 }
                let size = level <= 1 ? 18 : level == 2 ? 16 : 15
                wrap(runs, base: Font(size: size, bold: true), color: t.text, indent: 0, hang: 0,
                     lineHeight: Float(size) + 7)
            case .paragraph(let runs):
                let callout = runs.first.map { $0.style.contains(.label) } ?? false
                let start = y
                if callout { y += 6 }
                let inset: Float = callout ? 12 : 0
                wrap(runs, base: bodyFont, color: t.text, indent: inset, hang: inset, lineHeight: 20)
                if callout, let label = runs.first {
                    y += 6
                    let c = labelColor(label.text, theme: t)
                    out.bands.append(Band(y: start, height: y - start, fill: c.withAlpha(UInt8(22)), bar: c))
                }
            case .bullet(let depth, let runs), .numbered(_, let depth, let runs):
                let indent = 18 * Float(depth)
                var marker = "•"
                if case .numbered(let n, _, _) = block { marker = "\(n)." }
                let mw = measure(marker, bodyFont)
                let markerPiece = Piece(x: indent + 14 - mw / 2 - (marker == "•" ? 0 : mw / 2 - 2), width: mw,
                                        text: marker, font: bodyFont, color: t.mutedText, background: nil)
                wrap(runs, base: bodyFont, color: t.text, indent: indent + 22, hang: indent + 22,
                     lineHeight: 20, prefix: markerPiece)
                // List items sit closer together than paragraphs.
                if i + 1 < blocks.count, isListItem(blocks[i + 1]) { y -= blockGap - 2 }
            case .table(let rows):
                layoutTable(rows, width: width, y: &y, into: &out, theme: t, measure: measure)
            case .code(let lines):
                let start = y
                y += 7
                // Long lines break by characters (monospace), continuations indented and
                // marked, so a command never runs off the panel.
                let charWidth = max(1, measure("0000000000", codeFont) / 10)
                let perLine = max(8, Int((width - 20) / charWidth))
                for line in lines {
                    var rest = Substring(line.isEmpty ? " " : line)
                    var first = true
                    while !rest.isEmpty {
                        let room = first ? perLine : perLine - 2
                        var take = min(room, rest.count)
                        // Prefer breaking after a space in the second half of the line.
                        if take < rest.count, let space = rest.prefix(room).lastIndex(of: " "),
                           rest.distance(from: rest.startIndex, to: space) >= room / 2 {
                            take = rest.distance(from: rest.startIndex, to: space) + 1
                        }
                        let chunk = (first ? "" : "↪ ") + rest.prefix(take)
                        rest = rest.dropFirst(take)
                        out.lines.append(Line(y: y, height: 18, pieces: [
                            Piece(x: 12, width: measure(String(chunk), codeFont), text: String(chunk), font: codeFont,
                                  color: Color(hex: 0x1F2937), background: nil)]))
                        y += 18
                        first = false
                    }
                }
                y += 7
                out.bands.append(Band(y: start, height: y - start, fill: Color(hex: 0xF1F3F6), bar: Color(hex: 0xC7CDD6)))
            }
        }
        out.height = y
        return out
    }

    /// A table as columns as wide as their widest cell (the widest shrunk, their cells cut
    /// with "…", when the table does not fit), the header row bold on a shaded band.
    static func layoutTable(_ rows: [[[MarkdownText.Run]]], width: Float, y: inout Float, into out: inout Layout,
                            theme t: Theme, measure: Measure) {
        let font = Font(size: 13), headerFont = Font(size: 13, bold: true), gap: Float = 14
        let columns = rows.map(\.count).max() ?? 0
        guard columns > 0 else { return }
        let texts = rows.map { $0.map(MarkdownText.plain) }
        var widths = (0..<columns).map { c in
            texts.enumerated().map { r, row in c < row.count ? measure(row[c], r == 0 ? headerFont : font) : 0 }.max() ?? 0
        }
        let room = width - 8 - gap * Float(columns - 1)
        if widths.reduce(0, +) > room {
            // Narrow columns keep their width; the room left is shared among the wide ones.
            var left = room
            for (k, c) in widths.indices.sorted(by: { widths[$0] < widths[$1] }).enumerated() {
                widths[c] = min(widths[c], left / Float(columns - k))
                left -= widths[c]
            }
        }
        let start = y
        for (r, row) in texts.enumerated() {
            var x: Float = 4
            var pieces: [Piece] = []
            for (c, cell) in row.enumerated() where c < columns {
                let f = r == 0 ? headerFont : font
                var text = cell
                if measure(text, f) > widths[c] + 0.5 {
                    while !text.isEmpty && measure(text + "…", f) > widths[c] + 0.5 { text.removeLast() }
                    text += "…"
                }
                pieces.append(Piece(x: x, width: measure(text, f), text: text, font: f, color: t.text, background: nil))
                x += widths[c] + gap
            }
            out.lines.append(Line(y: y, height: 19, pieces: pieces))
            if r == 0 { out.bands.append(Band(y: start, height: 19, fill: Color(hex: 0xF1F3F6), bar: nil)) }
            y += 19
        }
    }

    static func isListItem(_ b: MarkdownText.Block) -> Bool {
        switch b {
        case .bullet, .numbered: return true
        default: return false
        }
    }

    /// "a b  c" -> ["a ", "b ", " ", "c"]: each word keeps one following space.
    static func words(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        for ch in s {
            current.append(ch)
            if ch == " " { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
