package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/tidewatch/tidewatch/planner"
)

// codes maps planner error codes to HTTP statuses.
var codes = map[string]int{
	planner.ECONFLICT:       http.StatusConflict,
	planner.EINVALID:        http.StatusBadRequest,
	planner.ENOTFOUND:       http.StatusNotFound,
	planner.EUNAUTHORIZED:   http.StatusUnauthorized,
	planner.EFORBIDDEN:      http.StatusForbidden,
	planner.ENOTIMPLEMENTED: http.StatusNotImplemented,
	planner.EINTERNAL:       http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for a planner error code.
func ErrorStatus(code string) int {
	if s, ok := codes[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error writes err as {"code":..., "error":...} with the status its code
// maps to; internal errors are logged and their detail hidden.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	code := planner.ErrorCode(err)
	if code == planner.EINTERNAL {
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(ErrorStatus(code))
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "error": planner.ErrorMessage(err)})
}
