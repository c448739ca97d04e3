import Foundation
import DendriteCore

/// Runs the built `dendrite-lab` executable. `swift test` builds it first because this
/// test target depends on it; it sits next to the test bundle in the build folder.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let executable: URL? = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let arg0 = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: arg0).deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL)
        let build = packageRoot.appendingPathComponent(".build")
        candidates.append(build.appendingPathComponent("debug"))
        if let triples = try? fm.contentsOfDirectory(atPath: build.path) {
            candidates += triples.map { build.appendingPathComponent($0).appendingPathComponent("debug") }
        }
        for dir in candidates {
            let url = dir.appendingPathComponent("dendrite-lab")
            if fm.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// True when a signal ended the process (a crash, not an error exit).
        var crashed = false
    }

    /// Starts the executable; the caller waits (or signals) it. Its output (stdout and
    /// stderr together) goes to the file `output` (default: nowhere).
    static func start(_ args: [String], output: String = "/dev/null", in directory: URL? = nil) throws -> ChildProcess {
        guard let exe = executable else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "dendrite-lab executable not found near \(CommandLine.arguments.first ?? "?")"])
        }
        return try ChildProcess(exe.path, args, in: directory ?? packageRoot, stdout: output, stderr: output)
    }

    /// Environment without a display, for commands that must work headless.
    static let noDisplay = ["DISPLAY": "", "WAYLAND_DISPLAY": "", "SDL_VIDEODRIVER": ""]

    /// Runs the executable to its end (through `ChildProcess`, not Foundation's `Process`: see there why).
    static func run(_ args: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> Result {
        guard let exe = executable else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "dendrite-lab executable not found near \(CommandLine.arguments.first ?? "?")"])
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v.isEmpty ? nil : v }
        let r = try ChildProcess.run(exe.path, args, in: directory ?? packageRoot, environment: env)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr, crashed: r.signal != nil)
    }

    static func temporaryFolder(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dendrite-cli-\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
