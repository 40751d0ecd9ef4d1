package worker

import (
	"context"
	"testing"
	"time"
)

func TestByteBudgetWaitsForRelease(t *testing.T) {
	b := newByteBudget(100)
	if err := b.acquire(t.Context(), 60); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- b.acquire(t.Context(), 60) }() // 120 > 100: waits
	select {
	case err := <-got:
		t.Fatalf("acquire over the budget returned %v before any release", err)
	case <-time.After(50 * time.Millisecond):
	}
	b.release(60)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if n := b.inUse(); n != 60 {
		t.Fatalf("in use = %d, want 60", n)
	}
}

func TestByteBudgetAdmitsOversizedRecordAlone(t *testing.T) {
	b := newByteBudget(100)
	if err := b.acquire(t.Context(), 500); err != nil {
		t.Fatalf("an oversized record on an empty budget: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.acquire(ctx, 1); err == nil {
		t.Fatal("acquire while an oversized record is held succeeded")
	}
	b.release(500)
	if err := b.acquire(t.Context(), 100); err != nil {
		t.Fatal(err)
	}
}
