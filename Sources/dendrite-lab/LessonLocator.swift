import Foundation
import ArgumentParser
import DendriteCore

/// Finds the lesson a command line names: a number (lesson NN in the lessons folder) or
/// a path to a `.md` file. The lessons folder is `--lessons DIR`, else `lessons/` in the
/// current directory, else `lessons/` in the package this binary was built from.
enum LessonLocator {
    /// The package root at build time (two folders above this source file).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The lessons folder to use, or nil when there is none.
    static func folder(_ explicit: String?) -> String? {
        if let explicit { return explicit }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        for candidate in [fm.currentDirectoryPath + "/lessons", packageRoot + "/lessons"] {
            if fm.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue { return candidate }
        }
        return nil
    }

    /// The path of the lesson `argument` names. Throws a one-line `ConfigError` when the
    /// number has no file or the folder cannot be read.
    static func path(for argument: String, lessonsFolder explicit: String?) throws -> String {
        guard let number = Int(argument), !argument.hasSuffix(".md") else { return argument }
        guard let dir = folder(explicit) else {
            throw ConfigError(file: explicit ?? "lessons", line: 0, problem: "no lessons folder to find lesson \(number) in",
                              expected: "a lessons/ folder here or --lessons DIR, or a path to a lesson .md file")
        }
        let files = try LessonLoader.lessonFiles(in: dir)
        let match = files.first { file in
            let name = (file as NSString).lastPathComponent
            return Int(name.prefix { $0.isNumber }) == number
        }
        guard let match else {
            let have = files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            throw ConfigError(file: dir, line: 0, problem: "there is no lesson \(number)",
                              expected: have.isEmpty ? "lesson files named NN-title.md" : "one of \(have)")
        }
        return match
    }

    /// The first lesson of the default folder, if there is one.
    static func firstLesson(lessonsFolder explicit: String?) -> String? {
        guard let dir = folder(explicit) else { return nil }
        return (try? LessonLoader.lessonFiles(in: dir))?.first
    }

    /// Finds and loads the lesson `argument` names; on a bad lesson prints its one-line
    /// error (file:line: problem; expected ...) and exits with status 1.
    static func lesson(_ argument: String, lessonsFolder explicit: String?) throws -> Lesson {
        do {
            return try LessonLoader.load(path: path(for: argument, lessonsFolder: explicit))
        } catch let e as ConfigError {
            FileHandle.standardError.write(Data("\(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
