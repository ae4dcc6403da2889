// A client imports one module: the store and sync client, with the model and the chart
// analysis they speak in. The layers stay separate targets so each builds and is tested alone.
@_exported import ImprovementAnalysis
@_exported import ImprovementModel
