package api

// extraRoutes lists the routes of the features that came after the first
// route table, each from its own file: sign-in, users and audit
// (auth.go), record edits (records.go), scenarios (scenarios.go),
// reports (report.go), exports (export.go), and import and the OpenAPI
// document (import.go).
func (s *Server) extraRoutes() []Route {
	var rt []Route
	for _, f := range []func() []Route{s.authRoutes, s.recordRoutes, s.scenarioRoutes, s.reportRoutes, s.exportRoutes, s.importRoutes} {
		rt = append(rt, f()...)
	}
	return rt
}
