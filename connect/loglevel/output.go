package loglevel

import (
	"fmt"
	"io"
	"log/slog"
)

// Log formats, the values of the worker property log.format.
const (
	FormatText = "text" // slog's key=value lines
	FormatJSON = "json" // one JSON object a line
)

// NewOutput returns the handler that writes records of every level to w in
// format (FormatText or FormatJSON). Both name levels as slog does: TRACE is
// DEBUG-4 and FATAL is ERROR+4. Wrap it in Registry.Handler to apply the
// loggers' levels. Any other format is a programming error and panics: the
// caller validates the format first, as workerconfig does.
func NewOutput(w io.Writer, format string) slog.Handler {
	opts := &slog.HandlerOptions{Level: LevelTrace}
	switch format {
	case FormatText:
		return slog.NewTextHandler(w, opts)
	case FormatJSON:
		return slog.NewJSONHandler(w, opts)
	}
	panic(fmt.Sprintf("loglevel: unknown log format %q", format))
}
