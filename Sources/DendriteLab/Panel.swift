/// The white card every view draws on, with a title in its top-left corner.
enum Panel {
    /// Draws the card and returns the area below the title.
    @discardableResult
    static func draw(_ canvas: Canvas, _ rect: Rect, title: String, subtitle: String = "") -> Rect {
        let t = canvas.theme
        canvas.fill(rect, t.panel)
        canvas.stroke(rect, t.panelBorder)
        let title = canvas.text(title, at: Vec2(rect.x + 10, rect.y + 7), size: t.titleSize, t.text, bold: true)
        if !subtitle.isEmpty {
            canvas.text(canvas.fitted(subtitle, width: rect.maxX - title.maxX - 18, size: t.smallSize), at: Vec2(title.maxX + 10, rect.y + 9), size: t.smallSize, t.mutedText)
        }
        return Rect(x: rect.x, y: rect.y + 28, w: rect.w, h: rect.h - 28)
    }
}
