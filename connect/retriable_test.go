package connect

import (
	"errors"
	"fmt"
	"testing"
)

func TestRetriable(t *testing.T) {
	base := errors.New("connection refused")
	if Retriable(nil) != nil {
		t.Fatal("Retriable(nil) != nil")
	}
	wrapped := fmt.Errorf("polling task: %w", Retriable(base))
	if !IsRetriable(wrapped) {
		t.Fatal("a wrapped retriable error is not retriable")
	}
	if !errors.Is(wrapped, base) {
		t.Fatal("the cause is not reachable through the wrapper")
	}
	if wrapped.Error() != "polling task: connection refused" {
		t.Fatalf("message = %q", wrapped.Error())
	}
	if IsRetriable(base) || IsRetriable(nil) {
		t.Fatal("a plain error is retriable")
	}
	// errors.Join keeps the mark: the runner joins the task's error with
	// the errors of its shutdown.
	if !IsRetriable(errors.Join(wrapped, errors.New("stopping task: x"))) {
		t.Fatal("a joined retriable error is not retriable")
	}
}
