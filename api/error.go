package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/tidewatch/tidewatch/planner"
)

// ETOOLARGE is the code of a request whose body exceeds its route's limit
// (HTTP 413); the API sets it, not the planner.
const ETOOLARGE = "too_large"

// codes maps planner error codes to HTTP statuses.
var codes = map[string]int{
	planner.ECONFLICT:       http.StatusConflict,
	planner.EINVALID:        http.StatusBadRequest,
	planner.ENOTFOUND:       http.StatusNotFound,
	planner.EUNAUTHORIZED:   http.StatusUnauthorized,
	planner.EFORBIDDEN:      http.StatusForbidden,
	planner.ENOTIMPLEMENTED: http.StatusNotImplemented,
	planner.EINTERNAL:       http.StatusInternalServerError,
	planner.ETOOMANY:        http.StatusTooManyRequests,
	ETOOLARGE:               http.StatusRequestEntityTooLarge,
}

// ErrorStatus returns the HTTP status for a planner error code.
func ErrorStatus(code string) int {
	if s, ok := codes[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error writes err as {"code":..., "error":...} with the status its code
// maps to; internal errors are logged and their detail hidden. When the
// request's body went over its limit, whatever error the handler made of
// that is answered 413 (code "too_large").
func Error(w http.ResponseWriter, r *http.Request, err error) {
	if limit, ok := bodyTooLarge(r); ok {
		err = planner.Errorf(ETOOLARGE, "request body too large: at most %s", sizeText(limit))
	}
	code := planner.ErrorCode(err)
	if code == planner.EINTERNAL {
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == planner.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tidewatch"`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(ErrorStatus(code))
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "error": planner.ErrorMessage(err)})
}
