package connect

import "errors"

// RetriableError marks a task failure that a restart may cure: the source
// was unreachable or went away (Kafka Connect's RetriableException). The
// runtime restarts a task that fails with one after
// retriable.restart.connector.wait.ms, at most errors.max.retries times; any
// other error leaves the task FAILED.
type RetriableError struct {
	Err error
}

func (e *RetriableError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RetriableError) Unwrap() error { return e.Err }

// Retriable marks err as retriable; a nil err stays nil.
func Retriable(err error) error {
	if err == nil {
		return nil
	}
	return &RetriableError{Err: err}
}

// IsRetriable reports whether err, or any error it wraps, is a
// *RetriableError.
func IsRetriable(err error) bool {
	var r *RetriableError
	return errors.As(err, &r)
}
