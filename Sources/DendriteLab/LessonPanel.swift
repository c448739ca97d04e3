import Foundation
import DendriteCore

/// The lesson side panel: the lesson's title, "Step k of n: title", the step's Markdown
/// wrapped to the panel's width (scrolls with the mouse wheel when longer than the
/// panel), and Prev / Next buttons. Layout is pure arithmetic over a text-measuring
/// function, so tests can check it without a window.
public enum LessonPanel {
    public enum Button: String, Codable, Hashable, Sendable { case previous, next }

    /// Where each part of the panel goes inside its card.
    struct Parts {
        var header: Rect
        var body: Rect
        /// The step's goals with live values (empty when the step has none).
        var goals: Rect
        var footer: Rect
        var previous: Rect
        var next: Rect
    }

    static let headerHeight: Float = 62
    static let footerHeight: Float = 44
    static let padding: Float = 14

    /// `header`: height of the title block (grows when a long title wraps).
    static func parts(of rect: Rect, goals: Int = 0, header headerH: Float = headerHeight) -> Parts {
        let header = Rect(x: rect.x, y: rect.y, w: rect.w, h: headerH)
        let footer = Rect(x: rect.x, y: rect.maxY - footerHeight, w: rect.w, h: footerHeight)
        let goalsHeight: Float = goals > 0 ? 42 + 19 * Float(goals) : 0
        let goalRect = Rect(x: rect.x, y: footer.minY - goalsHeight, w: rect.w, h: goalsHeight)
        let body = Rect(x: rect.x, y: header.maxY, w: rect.w, h: max(0, goalRect.minY - header.maxY))
        let bw: Float = 96, bh: Float = 28
        let by = footer.y + (footer.h - bh) / 2
        return Parts(header: header, body: body, goals: goalRect, footer: footer,
                     previous: Rect(x: rect.x + padding, y: by, w: bw, h: bh),
                     next: Rect(x: rect.maxX - padding - bw, y: by, w: bw, h: bh))
    }

    /// The button under `p`, if it can be pressed (no Prev on the first step, no Next on the last).
    public static func button(at p: Vec2, in rect: Rect, stepIndex: Int, steps: Int) -> Button? {
        let parts = parts(of: rect)
        if parts.previous.contains(p) && stepIndex > 0 { return .previous }
        if parts.next.contains(p) && stepIndex + 1 < steps { return .next }
        return nil
    }

    /// The Markdown the panel shows for a step: the lesson's introduction before the
    /// first step, then the step's text.
    static func markdown(lesson: Lesson, stepIndex: Int) -> String {
        let step = lesson.steps[stepIndex]
        var parts: [String] = []
        if stepIndex == 0, !lesson.introduction.isEmpty { parts.append(lesson.introduction) }
        parts.append(step.body)
        return parts.joined(separator: "\n\n")
    }

    // MARK: Drawing

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var key: (String, Float)?
        var layout = Layout()
    }
    private static let cache = Cache()

    /// Lays out (or reuses the layout of) `markdown` for `width`; measuring with SDL_ttf
    /// every frame would cost more than drawing.
    static func cachedLayout(_ markdown: String, width: Float, canvas: Canvas) -> Layout {
        cache.lock.lock()
        if let k = cache.key, k.0 == markdown, k.1 == width {
            let l = cache.layout
            cache.lock.unlock()
            return l
        }
        cache.lock.unlock()
        let l = layout(MarkdownText.parse(markdown), width: width, theme: canvas.theme) { text, f in
            canvas.measure(text, size: f.size, bold: f.bold, italic: f.italic, mono: f.mono).w
        }
        cache.lock.withLock {
            cache.key = (markdown, width)
            cache.layout = l
        }
        return l
    }

    /// Draws the panel for `lesson` at `stepIndex`, its body scrolled by `scroll` pixels.
    /// Returns the most the body can scroll (0 when it fits).
    @discardableResult
    ///
    /// `measured` gives the current value of a goal's metric (nil: the Lab cannot tell,
    /// e.g. test accuracy, which only `dendrite-lab lessons` measures).
    public static func draw(_ canvas: Canvas, in rect: Rect, lesson: Lesson, stepIndex: Int, scroll: Float,
                            hovered: Button? = nil,
                            epoch: Int = 0, measured: (LessonExpectation.Metric) -> LessonRunner.Value? = { _ in nil },
                            reached: Bool = false) -> Float {
        let t = canvas.theme
        guard rect.w > 120, rect.h > 160, !lesson.steps.isEmpty else { return 0 }
        let index = max(0, min(lesson.steps.count - 1, stepIndex))
        let step = lesson.steps[index]
        // Header: lesson title, then where we are; long titles wrap to two lines each.
        let inner = rect.w - 2 * padding
        let title = lesson.number > 0 ? "Lesson \(lesson.number) · \(lesson.title)" : lesson.title
        let where_ = "Step \(index + 1) of \(lesson.steps.count): \(displayTitle(step.title))"
        let titleLines = wrapped(title, width: inner, canvas: canvas, size: t.titleSize + 1, maxLines: 2)
        let stepLines = wrapped(where_, width: inner, canvas: canvas, size: t.bodySize + 1, maxLines: 2)
        let header = 16 + Float(titleLines.count) * 22 + Float(stepLines.count) * 19
        let parts = parts(of: rect, goals: step.expectations.count, header: max(headerHeight, header))
        canvas.fill(rect, t.panel)
        canvas.stroke(rect, t.panelBorder)
        var y = rect.y + 10
        for line in titleLines {
            canvas.text(line, at: Vec2(rect.x + padding, y), size: t.titleSize + 1, t.text, bold: true)
            y += 22
        }
        y += 2
        for line in stepLines {
            canvas.text(line, at: Vec2(rect.x + padding, y), size: t.bodySize + 1, t.accent, bold: true)
            y += 19
        }
        canvas.fill(Rect(x: rect.x + padding, y: parts.header.maxY - 4, w: inner, h: 1), t.panelBorder)

        // Body, clipped and scrolled.
        let textWidth = inner - 10
        let layout = cachedLayout(markdown(lesson: lesson, stepIndex: index), width: textWidth, canvas: canvas)
        let view = Rect(x: parts.body.x + 1, y: parts.body.y + 2, w: parts.body.w - 2, h: max(0, parts.body.h - 4))
        let maxScroll = max(0, layout.height + 16 - view.h)
        let s = max(0, min(maxScroll, scroll))
        let top = view.y + 8 - s, left = rect.x + padding
        canvas.clip(view)
        for b in layout.bands where top + b.y + b.height > view.y && top + b.y < view.maxY {
            let r = Rect(x: left - 4, y: top + b.y, w: textWidth + 8, h: b.height)
            canvas.fill(r, b.fill)
            if let bar = b.bar { canvas.fill(Rect(x: r.x, y: r.y, w: 3, h: r.h), bar) }
        }
        for line in layout.lines where top + line.y + line.height > view.y && top + line.y < view.maxY {
            for p in line.pieces {
                let h = Float(p.font.size) + 4
                let y = top + line.y + (line.height - h) / 2
                if let bg = p.background {
                    canvas.fill(Rect(x: left + p.x - 2, y: y, w: p.width + 3, h: h), bg)
                }
                canvas.text(p.text, at: Vec2(left + p.x, y + 1), size: p.font.size, p.color,
                            bold: p.font.bold, italic: p.font.italic, mono: p.font.mono)
            }
        }
        canvas.clip(nil)
        if maxScroll > 0 {
            // Scroll bar, and a hint that there is more below.
            let track = Rect(x: rect.maxX - 7, y: view.y + 4, w: 3, h: view.h - 8)
            canvas.fill(track, t.grid)
            let thumbH = max(24, track.h * view.h / (layout.height + 16))
            let thumbY = track.y + (track.h - thumbH) * (s / maxScroll)
            canvas.fill(Rect(x: track.x, y: thumbY, w: track.w, h: thumbH), t.mutedText)
        }

        if !step.expectations.isEmpty {
            let g = parts.goals
            drawGoals(canvas, Rect(x: g.x + padding, y: g.y + 5, w: g.w - 2 * padding, h: g.h - 10),
                      step: step, epoch: epoch, measured: measured, reached: reached)
        }

        // Footer: Prev / Next and the keys.
        canvas.fill(Rect(x: rect.x + padding, y: parts.footer.y, w: inner, h: 1), t.panelBorder)
        drawButton(canvas, parts.previous, "◀ Prev", enabled: index > 0, hovered: hovered == .previous)
        drawButton(canvas, parts.next, "Next ▶", enabled: index + 1 < lesson.steps.count, hovered: hovered == .next)
        let hint = maxScroll > 0 ? (s < maxScroll ? "wheel: more below" : "PgUp / PgDn") : "PgUp / PgDn"
        canvas.text(hint, at: Vec2(rect.center.x, parts.previous.y + 7), size: t.smallSize, t.mutedText, align: .center)
        return maxScroll
    }

    /// Bold `text` broken at spaces into at most `maxLines` lines of `width` pixels (the
    /// last one shortened with "…" if needed).
    static func wrapped(_ text: String, width: Float, canvas: Canvas, size: Int, maxLines: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if current.isEmpty || canvas.measure(candidate, size: size, bold: true).w <= width {
                current = candidate
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        if lines.count > maxLines {
            let rest = lines[(maxLines - 1)...].joined(separator: " ")
            lines = Array(lines.prefix(maxLines - 1)) + [rest]
        }
        return lines.map { canvas.fitted($0, width: width, size: size, bold: true) }
    }

    /// A step title without its own "Step 2:" or "2." prefix (the header numbers steps).
    static func displayTitle(_ title: String) -> String {
        var t = Substring(title)
        if t.lowercased().hasPrefix("step ") { t = t.dropFirst(5) }
        let digits = t.prefix { $0.isNumber }
        guard !digits.isEmpty, digits.count < t.count || t.count == digits.count else { return title }
        var rest = t.dropFirst(digits.count)
        guard let mark = rest.first, ":.)".contains(mark) else { return title }
        rest = rest.dropFirst().drop { $0 == " " }
        return rest.isEmpty ? title : String(rest)
    }

    /// "Goal after N epochs" with one line per expectation: what, the value now, and a
    /// verdict (✓ or ✗) once `epoch` reaches the step's budget.
    static func drawGoals(_ canvas: Canvas, _ r: Rect, step: LessonStep, epoch: Int,
                          measured: (LessonExpectation.Metric) -> LessonRunner.Value?, reached: Bool) {
        let t = canvas.theme
        let good = Color(hex: 0x15803D)
        canvas.fill(r, Color(hex: 0xF6F7F9))
        canvas.stroke(r, t.panelBorder)
        let when = step.moment.isEnd ? "after \(step.experiment.epochs) epochs or when training stops" : step.moment.description
        canvas.text(canvas.fitted("What you should see, \(when)", width: r.w - 20, size: t.smallSize + 1, bold: true), at: Vec2(r.x + 10, r.y + 6), size: t.smallSize + 1,
                    t.mutedText, bold: true)
        for (i, e) in step.expectations.enumerated() {
            let y = r.y + 25 + Float(i) * 19
            let target = goalText(e)
            canvas.text(target, at: Vec2(r.x + 10, y), size: t.bodySize, t.text)
            let done = reached
            let text: String, color: Color
            if let now = measured(e.metric) {
                let v = valueText(now, metric: e.metric)
                if !done {
                    (text, color) = ("now \(v)", t.mutedText)
                } else if LessonRunner.failure(e, now) == nil {
                    (text, color) = ("\(v)  ✓", good)
                } else {
                    (text, color) = ("\(v)  ✗", t.errorColor)
                }
            } else {
                (text, color) = ("checked headless", t.mutedText)
            }
            canvas.text(text, at: Vec2(r.maxX - 10, y), size: t.bodySize, color, align: .right, bold: done)
        }
    }

    static func goalText(_ e: LessonExpectation) -> String {
        let name: String
        switch e.metric {
        case .trainAccuracy: name = "train accuracy"
        case .validationAccuracy: name = "validation accuracy"
        case .testAccuracy: name = "test accuracy"
        case .dendrites: name = "dendrite sets"
        case .parameters: name = "parameters"
        case .phase: name = "phase"
        case .candidateCorrelation: name = "candidate corr(V, E)"
        case .errorSize: name = "mean |E|"
        case .errorQuadrants: name = "E signs ↗↖↙↘"
        case .inputCorrelation: name = "|corr(E, input)|"
        case .surfaceSpread: name = "surface spread"
        case .branchAccuracy: name = "branch alone accuracy"
        case .branchInputs: name = "branches see"
        }
        if e.metric.isText { return "\(name) \(e.text)" }
        return "\(name) \(e.comparison == .atLeast ? "≥" : e.comparison == .atMost ? "≤" : "=") \(valueText(.number(e.value), metric: e.metric))"
    }

    static func valueText(_ value: LessonRunner.Value, metric: LessonExpectation.Metric) -> String {
        guard case .number(let v) = value else { if case .text(let s) = value { return s }; return "–" }
        guard v.isFinite else { return "–" }
        if metric == .dendrites || metric == .parameters { return "\(Int(v.rounded()))" }
        if [.candidateCorrelation, .errorSize, .inputCorrelation, .surfaceSpread].contains(metric) { return String(format: "%.2f", v) }
        let p = v * 100
        return p == p.rounded() ? "\(Int(p))%" : String(format: "%.1f%%", p)
    }

    static func drawButton(_ canvas: Canvas, _ r: Rect, _ label: String, enabled: Bool, hovered: Bool) {
        let t = canvas.theme
        canvas.fill(r, !enabled ? t.background : hovered ? t.buttonActive : t.button)
        canvas.stroke(r, enabled ? t.panelBorder : t.grid)
        canvas.text(label, at: Vec2(r.center.x, r.y + 6), size: t.bodySize, enabled ? t.text : t.panelBorder,
                    align: .center, bold: enabled)
    }
}
