import FlowQuery
import Foundation

/// Where output goes: results on stdout, messages on stderr.
enum Terminal {
    /// True when standard output is a terminal (tables for people, CSV for pipes).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    /// True when standard error is a terminal.
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static var colorEnabled: Bool {
        stdoutIsTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }

    /// The terminal's width in columns, when standard output is one.
    static var width: Int? {
        guard stdoutIsTerminal else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// How tables are drawn here: fitted to the terminal, coloured when allowed.
    static var tableStyle: ResultWriter.TableStyle {
        ResultWriter.TableStyle(maximumWidth: width, color: colorEnabled, groupDigits: true)
    }

    /// Writes a line to standard error.
    static func message(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes text to standard output.
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
