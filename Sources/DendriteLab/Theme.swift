/// Colours and sizes of the Lab, in one place so every view agrees. Light background,
/// Playground's orange/blue for the two classes and for signs.
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

    /// Class 0 / negative and class 1 / positive.
    public var scale = Diverging(negative: Color(hex: 0xF59322), middle: Color(hex: 0xF7F7F7),
                                 positive: Color(hex: 0x0877BD))
    /// Dendrite output from low (v near 0) to high (v near 1).
    public var dendriteLow = Color(hex: 0x78716C)
    public var dendriteHigh = Color(hex: 0x15A34A)
    /// Error-signal gauge and correlation gauge.
    public var errorColor = Color(hex: 0xDC2626)
    public var correlationColor = Color(hex: 0x16A34A)
    /// Shading of dendrite-phase (P) epochs in the curves.
    public var dendritePhaseShade = Color(hex: 0x7C3AED, alpha: 40)

    public var trainLine = Color(hex: 0x0877BD)
    public var validationLine = Color(hex: 0xF59322)
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
