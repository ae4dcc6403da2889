import ArgumentParser
import ImprovementCore

// The core's choices parse straight from the command line, and `--help` lists their values.
extension Measure.Kind: ExpressibleByArgument {}
extension ChartKind: ExpressibleByArgument {}
extension Measure.Frequency: ExpressibleByArgument {}
extension Measure.Direction: ExpressibleByArgument {}
extension ImprovementCore.Unit.Kind: ExpressibleByArgument {}
extension Programme.Status: ExpressibleByArgument {}
extension DriverNode.Kind: ExpressibleByArgument {}
extension PDSACycle.Act: ExpressibleByArgument {}
extension Story.Kind: ExpressibleByArgument {}
extension ConflictChoice: ExpressibleByArgument {}
