/// Where each panel of the Lab goes for a window size. Pure arithmetic, shared by the
/// app (drawing and mouse hit tests) and the offscreen renderer.
///
///     +---------------------- toolbar -----------------------+
///     | network view                    | data view (square) |
///     |                                 |                    |
///     |---------------------------------| inspector          |
///     | curves                          |                    |
///     +---------------------- status ------------------------+
public struct LabLayout: Equatable, Sendable {
    public var bounds: Rect
    public var toolbar: Rect
    public var network: Rect
    public var curves: Rect
    public var data: Rect
    public var inspector: Rect
    public var status: Rect

    /// `curves` / `inspector` false give their room to the network / data view.
    public init(width: Int, height: Int, theme: Theme = .standard, curves showCurves: Bool = true, inspector showInspector: Bool = true) {
        let w = Float(max(width, 320)), h = Float(max(height, 240))
        let g = theme.gap
        bounds = Rect(x: 0, y: 0, w: w, h: h)
        toolbar = Rect(x: 0, y: 0, w: w, h: theme.toolbarHeight)
        status = Rect(x: 0, y: h - theme.statusHeight, w: w, h: theme.statusHeight)
        let content = Rect(x: g, y: toolbar.maxY + g, w: w - 2 * g, h: status.minY - toolbar.maxY - 2 * g)
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
