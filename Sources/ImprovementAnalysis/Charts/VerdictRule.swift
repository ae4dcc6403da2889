import ImprovementModel

/// Derives the one verdict from a chart's phases and signals (see ``ChartVerdict``).
enum VerdictRule {
    static func decide(
        findings: Findings, phases: [ChartPhase], summaries: [ChartPhaseSummary], points: [ChartPoint], kind: ChartKind
    ) -> ChartVerdict {
        guard let last = phases.last, let lastSummary = summaries.last else {
            return ChartVerdict(
                verdict: .tooFewPoints, reason: "too-few-points: no data points yet", since: nil, signal: nil,
                baselineSpecialCauses: [])
        }
        let signals = findings.signals
        // The verdict is about the process now: the signals that include the latest point of the
        // last phase (as NHS Making Data Count reads a chart by its latest point). A run that
        // ended, or an outlier long ago, is on the chart but is not where the process stands.
        guard let latestPoint = last.points.reversed().first(where: { !points[$0].excluded && points[$0].value != nil })
        else {
            return ChartVerdict(
                verdict: .tooFewPoints,
                reason: "too-few-points: no point to judge\(phases.count > 1 ? " in phase \(last.number)" : "")",
                since: nil, signal: nil, baselineSpecialCauses: [])
        }
        // A run rule's points skip those on the line, so a run still holds when every later point
        // sits exactly on the line it was tested against.
        let previousCentre = lastSummary.comparedWithPrevious?.centre
        func isCurrent(_ signal: ChartSignal) -> Bool {
            guard signal.phase == last.number, let end = signal.points.last else { return false }
            if signal.points.contains(latestPoint) { return true }
            guard signal.rule != .outsideLimits, end < latestPoint else { return false }
            return (end + 1...latestPoint).allSatisfy { index in
                let point = points[index]
                guard !point.excluded, let value = point.value else { return true }
                return value == (signal.against == .previousPhase ? previousCentre : point.centre)
            }
        }
        let current = signals.indices.filter { isCurrent(signals[$0]) }
        // A test against the previous phase wins, as it is what the change is judged by.
        func preferred(_ candidates: [Int]) -> Int? {
            candidates.first { signals[$0].against == .previousPhase } ?? candidates.first
        }
        let chosen = preferred(current.filter { signals[$0].direction != .neutral })
        // Lines distinct from the points judged: the previous phase's, or a frozen baseline's.
        func distinctBasis(for signal: ChartSignal?) -> ChartPhase? {
            if signal?.against == .previousPhase || (signal == nil && phases.count > 1) {
                return phases[last.number - 2]
            }
            if last.isFrozen, signal.map({ $0.points.contains { !last.basisSpan.contains($0) } }) ?? true {
                return last
            }
            return nil
        }
        let judgedAgainst = distinctBasis(for: chosen.map { signals[$0] })
        let specialCauses =
            judgedAgainst.map { basis in
                basis.basis.filter { points[$0].outside && !points[$0].explained }
            } ?? []
        let phaseWords = phases.count > 1 ? " in phase \(last.number)" : ""

        if let chosen {
            let signal = signals[chosen]
            let phrase = findings.phrases[chosen]
            // Points beyond a limit stand for themselves: the latest one is where the process is.
            let since = (signal.rule == .outsideLimits ? signal.points.last : signal.points.first).map {
                points[$0].period
            }
            if !specialCauses.isEmpty {
                let shown = specialCauses.prefix(5).map { points[$0].period }.joined(separator: ", ")
                return ChartVerdict(
                    verdict: .unstableBaseline,
                    reason: "unstable-baseline: \(phrase), but the lines this is judged against rest on an unexplained "
                        + "special cause (\(shown), beyond the limits with no note): explain it with a note or exclude "
                        + "it from the limits before judging the change",
                    since: since, signal: chosen, baselineSpecialCauses: specialCauses)
            }
            let verdict: ChartVerdict.Kind = signal.direction == .improvement ? .improving : .deteriorating
            return ChartVerdict(
                verdict: verdict, reason: "\(verdict.rawValue): \(phrase)", since: since, signal: chosen,
                baselineSpecialCauses: [])
        }
        if let neutral = preferred(current) {
            return ChartVerdict(
                verdict: .unclear,
                reason: "unclear: \(findings.phrases[neutral]); the pattern has no direction to judge",
                since: signals[neutral].points.first.map { points[$0].period }, signal: neutral,
                baselineSpecialCauses: specialCauses)
        }
        if lastSummary.runs.useful < RunAnalysis.minimumUsefulPoints, kind != .mr {
            let shifted = phases.count > 1 ? " and no shift from phase \(last.number - 1) yet" : ""
            return ChartVerdict(
                verdict: .tooFewPoints,
                reason: "too-few-points: only \(lastSummary.runs.useful) useful points\(phaseWords) (at least "
                    + "\(RunAnalysis.minimumUsefulPoints) are needed for the run rules), none beyond the limits\(shifted)",
                since: nil, signal: nil, baselineSpecialCauses: specialCauses)
        }
        let earlier =
            signals.contains { $0.phase == last.number }
            ? " (earlier signals are on the chart; the latest point is not part of one)" : ""
        let reason =
            phases.count > 1
            ? "no-signal: phase \(last.number) has not shifted from phase \(last.number - 1) and varies only as it has all along\(earlier)"
            : "no-signal: the variation is what this process has shown all along\(earlier)"
        return ChartVerdict(
            verdict: .noSignal, reason: reason, since: nil, signal: nil, baselineSpecialCauses: specialCauses)
    }
}
