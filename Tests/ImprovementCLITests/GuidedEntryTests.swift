import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `improve due` lists what a ward still has to record; `improve enter` asks for it at a real
/// terminal (a tmux pseudo-terminal), checks each answer as `improve record` does, and saves
/// each one at once, so a terminal closed half-way loses nothing already answered.
@Suite("improve due and improve enter")
struct GuidedEntryTests {
    @Test func dueListsThePeriodsWithoutDataPerMeasureAndUnit() throws {
        let (_, device) = try Self.ward()
        let due = try device.ok(["due", "--unit", "ward-7", "--json"]).objects()
        #expect(due.map { $0["measure"] as? String ?? "" } == ["falls-rate", "hand-hygiene", "staff-confidence"])
        #expect(due[0]["periods"] as? [String] == [Dates.week(2), Dates.week(1), Dates.week(0)])
        #expect(due[1]["periods"] as? [String] == [Dates.week(0)], "no data and no programme start: this week")
        #expect(due[2]["periods"] as? [String] == [Dates.today.startOfMonth.description])
        #expect(due.allSatisfy { $0["unit"] as? String == "ward-7" && $0["site"] as? String == "north" })

        // The whole site by default: ward-7 only (ward-9 is south's).
        #expect(try device.ok(["due", "--json"]).objects().count == 3)
        let text = try device.ok(["due"]).output
        #expect(text.contains("falls-rate") && text.contains("3 weeks") && text.contains("improve enter"))
        // Recording a period takes it off the list.
        try device.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "1", "--denominator",
            "400",
        ])
        let after = try device.ok(["due", "--unit", "ward-7", "--measure", "falls-rate", "--json"]).objects()
        #expect(after.first?["periods"] as? [String] == [Dates.week(2), Dates.week(0)])
        let wrongSite = try device.run(["due", "--unit", "ward-9"])
        #expect(wrongSite.status == 1 && wrongSite.error.contains("belongs to site south"))
    }

    @Test func answersCanBePipedIn() throws {
        let (folder, device) = try Self.ward()
        let answers = folder.path("answers.txt")
        // falls-rate week 2: 3/400; week 1: skipped; week 0: 2/410; then stop.
        try "3\n400\n\n2\n410\nq\n".write(toFile: answers, atomically: true, encoding: .utf8)
        let result = try device.run(["enter", "--unit", "ward-7"], input: answers)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("Saved 2, skipped 1; stopped with 2 still due"), "\(result.output)")
        #expect(result.output.contains("Numerator: 3"), "piped answers are echoed")
        let saved = try Self.numerators(device)
        #expect(saved == [Dates.week(3): 1, Dates.week(2): 3, Dates.week(0): 2])
    }

    @Test func atATerminalEachAnswerIsSavedAtOnceAndAClosedTerminalLosesNothing() throws {
        let (folder, device) = try Self.ward()
        let terminal = try Terminal(in: folder)
        defer { terminal.close() }
        try terminal.start(device: device, arguments: ["enter", "--unit", "ward-7"])

        // The first period due, with the measure's operational definition.
        try terminal.wait(
            for: "[1/5] Falls per 1,000 bed days (falls-rate), Ward 7 (ward-7): week starting \(Dates.week(2))")
        try terminal.wait(for: "Numerator:   Falls reported on the incident system")
        try terminal.wait(for: "Denominator: Occupied bed days / 1000")
        try terminal.wait(for: "Numerator: ")
        // A word instead of a number is explained and asked again.
        try terminal.type("three")
        try terminal.wait(for: "\"three\" is not a number")
        try terminal.type("3")
        try terminal.wait(for: "Denominator: ")
        try terminal.type("400")
        try terminal.wait(for: "Saved: 3 / 400.")
        // Saved already, while the prompt is still open.
        #expect(try Self.numerators(device)[Dates.week(2)] == 3)

        // An empty answer skips the period.
        try terminal.wait(for: "[2/5]")
        try terminal.type("")
        try terminal.wait(for: "[3/5]")
        try terminal.type("2")
        try terminal.type("410")
        try terminal.wait(for: "Saved: 2 / 410.")

        // A proportion whose numerator exceeds its denominator is refused as improve record refuses it.
        try terminal.wait(for: "[4/5] Hand hygiene compliance (hand-hygiene)")
        try terminal.type("21")
        try terminal.type("20")
        try terminal.wait(for: "The numerator (21) is larger than the denominator (20)")
        try terminal.wait(for: "Nothing was saved. Try again")

        // The terminal is closed mid-way: what was answered is in the store, nothing else.
        terminal.close()
        let saved = try Self.numerators(device)
        #expect(saved == [Dates.week(3): 1, Dates.week(2): 3, Dates.week(0): 2])
        let hygiene = try device.observations(["--measure", "hand-hygiene"])
        #expect(hygiene.isEmpty)
        #expect(try device.ok(["due", "--unit", "ward-7", "--json"]).objects().count == 3)
    }

    @Test func aCompleteSessionAtATerminalSaysWhatWasSavedAndSkipped() throws {
        let (folder, device) = try Self.ward()
        let terminal = try Terminal(in: folder)
        defer { terminal.close() }
        try terminal.start(device: device, arguments: ["enter", "--unit", "ward-7", "--measure", "staff-confidence"])
        try terminal.wait(for: "[1/1] Staff confidence score (staff-confidence), Ward 7 (ward-7): month starting")
        try terminal.wait(for: "Value: ")
        try terminal.type("4.5")
        try terminal.wait(for: "Saved 1, skipped 0.")
        try terminal.wait(for: "exit status 0")
        let values = try device.observations(["--measure", "staff-confidence"]).compactMap { $0["value"] as? Double }
        #expect(values == [4.5])
    }

    /// A north ward device with the test programme and falls recorded three weeks ago (so
    /// falls-rate is due from then on).
    static func ward() throws -> (TemporaryFolder, Device) {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.defineProgramme()
        try device.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(3), "--numerator", "1", "--denominator",
            "390",
        ])
        return (folder, device)
    }

    /// falls-rate numerators of ward-7 by period.
    static func numerators(_ device: Device) throws -> [String: Double] {
        var result: [String: Double] = [:]
        for observation in try device.observations(["--measure", "falls-rate", "--unit", "ward-7"]) {
            if let period = observation["period"] as? String, let numerator = observation["numerator"] as? Double {
                result[period] = numerator
            }
        }
        return result
    }
}

/// A detached tmux session on its own server socket: a real pseudo-terminal a test types into
/// and reads the screen of.
final class Terminal {
    let folder: TemporaryFolder
    let socket: String
    let tmux: String
    private var started = false
    /// The tmux server and the shell in its pane.
    private var processes: [pid_t] = []

    init(in folder: TemporaryFolder) throws {
        guard let tmux = Binaries.onPath("tmux") else {
            throw TestFailure(
                "tmux is not installed: bash scripts/install-system-packages.sh tmux (scripts/test.sh does)")
        }
        self.folder = folder
        self.tmux = tmux
        socket = folder.path("tmux.socket")
    }

    deinit { close() }

    /// Runs `improve ARGUMENTS` for `device` in the terminal; when it ends, its exit status is shown.
    func start(device: Device, arguments: [String], columns: Int = 200, environment: String = "") throws {
        let improve = try Binaries.path("improve")
        let command =
            ([improve] + arguments + ["--store", device.store]).map(Self.quoted).joined(separator: " ")
            + "; echo \"exit status $?\"; sleep 600"
        // SIGHUP as a real terminal delivers it: the test runner's own handling is not inherited.
        let result = try run([
            "new-session", "-d", "-s", "entry", "-x", String(columns), "-y", "60",
            "env --default-signal=HUP IMPROVE_USER=\(Self.quoted(device.user)) HOME=\(Self.quoted(folder.url.path)) \(environment) "
                + "sh -c \(Self.quoted(command))",
        ])
        guard result.status == 0 else { throw TestFailure("tmux did not start: \(result.error)") }
        started = true
        let pids = try run(["display-message", "-p", "-t", "entry", "#{pid} #{pane_pid}"]).output
            .split(whereSeparator: \.isWhitespace).compactMap { pid_t(String($0)) }
        processes = pids
    }

    /// Types `text` and presses Enter.
    func type(_ text: String) throws {
        if !text.isEmpty { _ = try run(["send-keys", "-t", "entry", "-l", text]) }
        _ = try run(["send-keys", "-t", "entry", "Enter"])
    }

    /// Everything the terminal shows, scrollback included.
    func screen(escapes: Bool = false) throws -> String {
        try run(["capture-pane", "-p", "-J", "-S", "-", "-t", "entry"] + (escapes ? ["-e"] : [])).output
    }

    /// Waits until the screen shows `text`.
    func wait(for text: String, timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try screen().contains(text) { return }
            usleep(50_000)
        }
        throw TestFailure("the terminal never showed \"\(text)\"; it shows:\n\(try screen())")
    }

    /// Closes the terminal (its programs get SIGHUP, as when a window is closed) and waits until
    /// they are gone; what is still there after 5 seconds is killed.
    func close() {
        guard started else { return }
        started = false
        _ = try? run(["kill-server"])
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, processes.contains(where: Self.isRunning) { usleep(20_000) }
        for pid in processes where Self.isRunning(pid) { kill(pid, SIGKILL) }
    }

    /// True while the process exists and has not exited (a zombie waiting to be reaped has).
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[end.upperBound...].first != "Z"
    }

    /// Runs one tmux client. Through bash, which first closes every descriptor but the standard
    /// three: the tmux server a client starts would otherwise keep the one Foundation watches to
    /// learn that the client exited, and the test would wait for the server's end.
    private func run(_ arguments: [String]) throws -> CommandResult {
        let closeInherited =
            "for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ \"$n\" -gt 2 ]; then eval \"exec $n>&-\"; fi; done; "
            + "exec \"$@\""
        return try Processes.run(
            "/bin/bash", ["-c", closeInherited, "bash", tmux, "-S", socket] + arguments,
            environment: Processes.environment(home: folder.url.path, extra: ["TERM": "xterm-256color"]),
            folder: folder.url.path)
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
