/// Colours and sizes of the Lab, in one place so every view agrees. Light background;
/// classes in the Okabe-Ito palette (orange, blue, green, ...), signed quantities
/// (weights, activations, error, correlation) on a magenta-white-green diverging scale
/// (ColorBrewer PiYG, safe for colour-blind readers), so a class is never mistaken for a sign.
public struct Theme: Sendable {
    public var background = Color(hex: 0xF3F4F6)
    public var panel = Color(hex: 0xFFFFFF)
    public var panelBorder = Color(hex: 0xD5D8DD)
    public var text = Color(hex: 0x22262B)
    public var mutedText = Color(hex: 0x6B7280)
    public var grid = Color(hex: 0xE6E8EB)
    public var accent = Color(hex: 0x7C3AED)          // selection, candidate glow
    public var button = Color(hex: 0xE9ECF0)
    public var buttonHover = Color(hex: 0xDCE1E7)
    public var buttonActive = Color(hex: 0xC7D2FE)

    /// Signed quantities: negative magenta, zero white, positive green.
    public var scale = Diverging(negative: Color(hex: 0xC51B7D), middle: Color(hex: 0xF7F7F7),
                                 positive: Color(hex: 0x4D9221))
    /// Class k's colour (Okabe & Ito's colour-blind-safe palette; cycles after eight).
    public var classColors: [Color] = [0xE69F00, 0x0072B2, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9, 0xF0E442, 0x000000]
        .map { Color(hex: $0) }
    public func classColor(_ k: Int) -> Color { classColors[((k % classColors.count) + classColors.count) % classColors.count] }
    /// P(class 1) of a two-class problem: class 0's colour through white to class 1's.
    public var classScale: Diverging { Diverging(negative: classColor(0), middle: scale.middle, positive: classColor(1)) }
    /// Dendrite output from low (v near 0) to high (v near 1).
    public var dendriteLow = Color(hex: 0x78716C)
    public var dendriteHigh = Color(hex: 0x15A34A)
    /// Error-signal gauge and correlation gauge.
    public var errorColor = Color(hex: 0xC51B7D)
    public var correlationColor = Color(hex: 0x16A34A)
    /// Shading of dendrite-phase (P) epochs in the curves.
    public var dendritePhaseShade = Color(hex: 0x7C3AED, alpha: 40)

    public var trainLine = Color(hex: 0x0072B2)
    public var validationLine = Color(hex: 0xE69F00)
    public var parameterLine = Color(hex: 0x6B7280)

    /// Font sizes in points (SDL_ttf renders at 72 dpi, so roughly pixels).
    public var titleSize = 15
    public var bodySize = 13
    public var smallSize = 11

    public var toolbarHeight: Float = 44
    public var statusHeight: Float = 28
    public var gap: Float = 8

    public init() {}

    public static let standard = Theme()
}
