/// The network view's connections as one image: every weight a curve from neuron to
/// neuron, weakest first so strong ones stay on top; thickness and opacity grow with |w|,
/// colour is its sign.
///
/// Rasterised on the CPU (`LineRaster`) rather than drawn as triangles: a 32-32 network
/// has over a thousand curves, which a software OpenGL shades at a cost of ~18 ms a
/// frame. Made once per model reading, on the training thread when the Lab trains there,
/// and blitted every frame.
public struct ConnectionImage: Equatable, Sendable {
    /// Identifies what was drawn (weights' version, layout, phase dimming).
    public let key: Int
    public let width: Int
    public let height: Int
    /// ARGB8888, row-major, covering `frame(for: rect)`.
    public let pixels: [UInt32]

    public init(picture: NetworkPicture, rect: Rect, theme t: Theme, alpha: Float? = nil) {
        let neuronAlpha = alpha ?? NetworkView.neuronAlpha(picture)
        key = ConnectionImage.key(picture: picture, rect: rect, alpha: neuronAlpha)
        let frame = ConnectionImage.frame(for: rect)
        width = Int(frame.w)
        height = Int(frame.h)
        let origin = Vec2(frame.x, frame.y)
        let geo = NetworkGeometry(shape: picture.shape, in: rect), r = geo.radius
        var raster = LineRaster(width: width, height: height)
        for c in 1..<max(1, picture.layers.count) {
            let layer = picture.layers[c], prev = picture.layers[c - 1]
            let nIn = prev.neurons.count, nOut = layer.neurons.count
            guard layer.weights.count == nIn * nOut, nIn > 0 else { continue }
            let maxAbs = max(layer.weights.map { abs($0) }.max() ?? 1, 1e-6)
            let order = layer.weights.indices.sorted { abs(layer.weights[$0]) < abs(layer.weights[$1]) }
            for k in order {
                let w = layer.weights[k], o = k / nIn, i = k % nIn
                let m = abs(w) / maxAbs
                let a = geo.centres[c - 1][i] + Vec2(r, 0) - origin, b = geo.centres[c][o] - Vec2(r, 0) - origin
                let mid = (a.x + b.x) / 2
                let base = w < 0 ? t.scale.negative : t.scale.positive
                raster.polyline(Canvas.bezierPoints(a, Vec2(mid, a.y), Vec2(mid, b.y), b, segments: 10),
                                base.withAlpha((0.12 + 0.75 * m) * neuronAlpha), lineWidth: 0.6 + 3.4 * m)
            }
        }
        pixels = raster.argb()
    }

    /// The pixel-aligned rect the image covers for the view's `rect`.
    static func frame(for rect: Rect) -> Rect {
        let x = rect.x.rounded(.down), y = rect.y.rounded(.down)
        return Rect(x: x, y: y, w: max(1, (rect.maxX - x).rounded(.up)), h: max(1, (rect.maxY - y).rounded(.up)))
    }

    /// Images with the same key show the same thing (their pixels are not compared).
    public static func == (a: ConnectionImage, b: ConnectionImage) -> Bool {
        a.key == b.key && a.width == b.width && a.height == b.height
    }

    static func key(picture: NetworkPicture, rect: Rect, alpha: Float) -> Int {
        var h = Hasher()
        h.combine(picture.heatmapVersion)
        h.combine(picture.shape)
        for v in [rect.x, rect.y, rect.w, rect.h, alpha] { h.combine(v) }
        return h.finalize()
    }
}
