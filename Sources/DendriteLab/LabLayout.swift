/// Where each panel of the Lab goes for a window size. Pure arithmetic, shared by the
/// app (drawing and mouse hit tests) and the offscreen renderer.
///
///     +---------------------- toolbar -----------------------+
///     | network view                    | data view (square) |
///     |                                 |                    |
///     |---------------------------------| inspector          |
///     | curves                          |                    |
///     +---------------------- status ------------------------+
///
/// With a lesson open, the lesson panel takes a full-height column on the right (text
/// needs height more than width) and the views above share the rest.
public struct LabLayout: Equatable, Sendable {
    public var bounds: Rect
    public var toolbar: Rect
    public var network: Rect
    public var curves: Rect
    public var data: Rect
    public var inspector: Rect
    /// The lesson side panel; zero width when no lesson is open.
    public var lesson: Rect
    public var status: Rect

    /// `curves` / `inspector` false give their room to the network / data view; `lesson`
    /// opens the lesson column (and, with the inspector hidden, stacks the curves under
    /// the data view).
    public init(width: Int, height: Int, theme: Theme = .standard, curves showCurves: Bool = true, inspector showInspector: Bool = true,
                lesson showLesson: Bool = false) {
        let w = Float(max(width, 320)), h = Float(max(height, 240))
        let g = theme.gap
        bounds = Rect(x: 0, y: 0, w: w, h: h)
        toolbar = Rect(x: 0, y: 0, w: w, h: theme.toolbarHeight)
        status = Rect(x: 0, y: h - theme.statusHeight, w: w, h: theme.statusHeight)
        var content = Rect(x: g, y: toolbar.maxY + g, w: w - 2 * g, h: status.minY - toolbar.maxY - 2 * g)
        if showLesson {
            let lw = min(460, max(340, content.w * 0.31))
            lesson = Rect(x: content.maxX - lw, y: content.y, w: lw, h: content.h)
            content.w -= lw + g
        } else {
            lesson = Rect(x: content.maxX, y: content.y, w: 0, h: content.h)
        }
        if showLesson && !showInspector {
            // Lesson mode: the network gets the full height on the left; the data view
            // and the curves stack in the middle column, so no room is left empty.
            let side = min(content.w * 0.47, content.h * (showCurves ? 0.62 : 1))
            data = Rect(x: content.maxX - side, y: content.y, w: side, h: side)
            curves = showCurves ? Rect(x: data.x, y: data.maxY + g, w: side, h: max(0, content.maxY - data.maxY - g))
                                : Rect(x: data.x, y: content.maxY, w: side, h: 0)
            inspector = Rect(x: data.x, y: content.maxY, w: side, h: 0)
            network = Rect(x: content.x, y: content.y, w: data.x - g - content.x, h: content.h)
            return
        }
        // Right column: a square data view as large as fits in ~38% of the width.
        let side = min(content.w * (showInspector ? 0.38 : 0.45), content.h * (showInspector ? 0.66 : 1))
        let right = Rect(x: content.maxX - side, y: content.y, w: side, h: content.h)
        data = Rect(x: right.x, y: right.y, w: side, h: side)
        inspector = Rect(x: right.x, y: data.maxY + g, w: side, h: max(0, right.maxY - data.maxY - g))
        let left = Rect(x: content.x, y: content.y, w: right.x - g - content.x, h: content.h)
        let curvesHeight = showCurves ? min(240, max(150, left.h * 0.32)) : -g
        network = Rect(x: left.x, y: left.y, w: left.w, h: left.h - curvesHeight - g)
        curves = Rect(x: left.x, y: network.maxY + g, w: left.w, h: max(0, curvesHeight))
    }
}
