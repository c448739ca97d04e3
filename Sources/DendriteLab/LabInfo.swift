import CSDL2
import DendriteCore

/// The SDL2 version this build links, for `--version` output and error reports.
public func linkedSDLVersion() -> String {
    var v = SDL_version()
    SDL_GetVersion(&v)
    return "\(v.major).\(v.minor).\(v.patch)"
}
