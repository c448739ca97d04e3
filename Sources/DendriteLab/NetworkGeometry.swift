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
        // Room above the top neuron for the column titles and its dendrite tree, which
        // reaches about 4.3 soma radii up.
        let bottomSpace: Float = 30
        let maxUnits = Float(max(shape.max() ?? 1, 1))
        func fit(_ titleSpace: Float) -> (Rect, Float, Float) {
            let area = Rect(x: rect.x + 44, y: rect.y + titleSpace, w: max(10, rect.w - 150),
                            h: max(10, rect.h - titleSpace - bottomSpace))
            let spacing = area.h / maxUnits
            return (area, spacing, max(4, min(17, spacing * 0.27)))
        }
        var (area, spacing, r) = fit(46)
        let extra = max(0, 4.3 * r - spacing / 2)
        (area, spacing, r) = fit(46 + extra)
        radius = r
        top = area.y
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

    /// Trunk and branches of the dendrite tree of a neuron with `count` branches: the
    /// trunk leaves the soma towards the upper left and each branch forks off it in
    /// cascade order (set 0 nearest the soma), alternating left and up.
    public func dendriteTree(column: Int, unit: Int, count: Int) -> (trunk: [Vec2], branches: [(from: Vec2, control: Vec2, tip: Vec2)]) {
        let c = centres[column][unit], r = radius * 1.25
        let base = Vec2(c.x - radius * 0.5, c.y - radius * 0.87)
        let trunkEnd = Vec2(c.x - r * 1.2, c.y - r * 2.3)
        let trunk = [base, trunkEnd]
        var branches: [(Vec2, Vec2, Vec2)] = []
        for d in 0..<count {
            let t = count == 1 ? Float(1) : 0.3 + 0.7 * Float(d) / Float(count - 1)
            let from = base + (trunkEnd - base) * t
            let len = r * (1.5 - 0.12 * Float(d % 3))
            let left = d % 2 == 0
            let tip = left ? from + Vec2(-len * 1.05, -len * 0.45) : from + Vec2(len * 0.15, -len * 1.0)
            let bend = left ? Vec2(0, -r * 0.35) : Vec2(-r * 0.35, 0)
            branches.append((from, from + (tip - from) * 0.5 + bend, tip))
        }
        return (trunk, branches.map { (from: $0.0, control: $0.1, tip: $0.2) })
    }
}

/// A neuron in the network view: column 0 is the input, the last column the output.
/// With `branch`, one of its dendrite sets (0 first; the PB candidate comes last).
public struct NeuronRef: Codable, Equatable, Hashable, Sendable {
    public var column: Int
    public var unit: Int
    public var branch: Int?
    public init(column: Int, unit: Int, branch: Int? = nil) { self.column = column; self.unit = unit; self.branch = branch }

    /// The neuron itself (no branch).
    public var neuron: NeuronRef { NeuronRef(column: column, unit: unit) }
}
