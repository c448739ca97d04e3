/// Why the Lab could not start or draw. Each message is one line that says what to do.
public enum LabError: Error, CustomStringConvertible, Equatable {
    case fontMissing(path: String)
    case fontUnreadable(path: String, reason: String)
    case noDisplay(reason: String)
    case sdl(what: String, reason: String)
    case png(path: String, reason: String)

    public var description: String {
        switch self {
        case .fontMissing(let path):
            return "\(path): font not found; install the Debian package fonts-dejavu-core (DejaVu Sans)"
                + " or point DENDRITE_FONT at a .ttf file"
        case .fontUnreadable(let path, let reason):
            return "\(path): not a readable TrueType font (\(reason)); expected a .ttf file such as DejaVuSans.ttf"
        case .noDisplay(let reason):
            return "cannot open a window (\(reason)); run headless with `xvfb-run -a dendrite-lab`, "
                + "`dendrite-lab render --out lab.png` or `dendrite-lab demo`"
        case .sdl(let what, let reason):
            return "\(what) failed: \(reason)"
        case .png(let path, let reason):
            return "\(path): could not write PNG: \(reason)"
        }
    }
}
