/// Where each neuron of the network view sits. Shared by drawing and by mouse hit tests,
/// so a click lands on exactly the circle that was drawn.
public struct NetworkGeometry: Equatable, Sendable {
    /// centres[column][unit]
    public var centres: [[Vec2]]
    /// Soma radius in pixels.
    public var radius: Float
    /// Top of the neuron area (below the column titles).
    public var top: Float

    public init(shape: [Int], in rect: Rect) {
        let titleSpace: Float = 40, bottomSpace: Float = 26
        top = rect.y + titleSpace
        let area = Rect(x: rect.x + 44, y: top, w: max(10, rect.w - 150), h: max(10, rect.h - titleSpace - bottomSpace))
        let maxUnits = Float(shape.max() ?? 1)
        let spacing = area.h / max(maxUnits, 1)
        radius = max(4, min(17, spacing * 0.27))
        let columns = shape.count
        centres = shape.enumerated().map { c, units in
            let x = columns == 1 ? area.center.x : area.x + area.w * Float(c) / Float(columns - 1)
            // Centre each column vertically.
            let colHeight = spacing * Float(units)
            let y0 = area.y + (area.h - colHeight) / 2 + spacing / 2
            return (0..<units).map { u in Vec2(x, y0 + spacing * Float(u)) }
        }
    }

    /// The neuron (column, unit) whose soma contains `p`, if any (a little slack).
    public func neuron(at p: Vec2) -> NeuronRef? {
        for (c, col) in centres.enumerated() {
            for (u, q) in col.enumerated() where q.distance(to: p) <= radius + 3 {
                return NeuronRef(column: c, unit: u)
            }
        }
        return nil
    }

    /// Start, cascade attachment points and tips of the dendrite tree of a neuron with
    /// `count` branches: the trunk leaves the soma towards the upper left and each
    /// branch forks off it in cascade order (set 0 nearest the soma).
    public func dendriteTree(column: Int, unit: Int, count: Int) -> (trunk: [Vec2], branches: [(from: Vec2, control: Vec2, tip: Vec2)]) {
        let c = centres[column][unit], r = radius
        let base = Vec2(c.x - r * 0.55, c.y - r * 0.83)
        let trunkEnd = Vec2(c.x - r * 1.5, c.y - r * 2.0)
        let trunk = [base, trunkEnd]
        var branches: [(Vec2, Vec2, Vec2)] = []
        for d in 0..<count {
            let t = count == 1 ? Float(1) : 0.35 + 0.65 * Float(d) / Float(count - 1)
            let from = base + (trunkEnd - base) * t
            let side: Float = d % 2 == 0 ? -1 : 1
            let len = r * (1.15 - 0.1 * Float(d % 3))
            // Alternate branches lean left (up-left) and up, like a small dendritic arbor.
            let tip = side < 0 ? from + Vec2(-len * 1.1, -len * 0.35) : from + Vec2(-len * 0.2, -len * 1.05)
            let control = from + (tip - from) * 0.5 + Vec2(side * r * 0.15, -r * 0.25)
            branches.append((from, control, tip))
        }
        return (trunk, branches.map { (from: $0.0, control: $0.1, tip: $0.2) })
    }
}

/// A neuron in the network view: column 0 is the input, the last column the output.
public struct NeuronRef: Codable, Equatable, Hashable, Sendable {
    public var column: Int
    public var unit: Int
    public init(column: Int, unit: Int) { self.column = column; self.unit = unit }
}
