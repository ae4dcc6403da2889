import ImprovementCore

/// How a plotted point reads, the same in every view: part of a signal of improvement or of
/// concern (concern wins when a point is in both), another signal, excluded from the limits, or
/// ordinary.
enum PointMark: String {
    case plain, improvement, concern, signal, excluded

    init(_ result: ChartResult, _ index: Int) {
        let point = result.points[index]
        if point.excluded {
            self = .excluded
            return
        }
        let directions = Set(result.signals.filter { $0.points.contains(index) }.map(\.direction))
        if directions.contains(.concern) {
            self = .concern
        } else if directions.contains(.improvement) {
            self = .improvement
        } else if !directions.isEmpty || point.outside {
            self = .signal
        } else {
            self = .plain
        }
    }
}
