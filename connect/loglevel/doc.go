// Package loglevel makes slog levels adjustable at run time, per logger,
// for GET/PUT /admin/loggers. A logger is named by the "component"
// attribute of its slog.Logger (slog.With("component", "herder")); names
// are hierarchical on dots, as log4j's are, and a logger without a name
// follows "root". Levels use log4j's names: OFF, FATAL, ERROR, WARN, INFO,
// DEBUG, TRACE, ALL.
//
// A registry is bounded: names longer than MaxNameLen or with control
// characters are refused (CheckName), as are new names once MaxLoggers
// loggers have a level; names the program registers beyond MaxLoggers are
// not listed.
//
// NewOutput builds the handler underneath the registry's: slog's text or
// JSON handler (log.format), accepting every level so that the registry
// alone decides what passes.
package loglevel
