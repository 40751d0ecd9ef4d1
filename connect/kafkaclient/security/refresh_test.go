package security

import (
	"testing"
	"time"
)

// The refresh times of ExpiringCredentialRefreshingLogin.refreshMs.
func TestRefreshTime(t *testing.T) {
	def := refreshSettings{windowFactor: 0.8, windowJitter: 0.05, minPeriod: time.Minute, buffer: 5 * time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name               string
		now, start, expire time.Time
		s                  refreshSettings
		rnd                float64
		want               time.Time
	}{
		{"80% of an hour", t0, t0, t0.Add(time.Hour), def, 0, t0.Add(48 * time.Minute)},
		{"with full jitter", t0, t0, t0.Add(time.Hour), def, 1, t0.Add(51 * time.Minute)},
		{"kept out of the end buffer", t0, t0, t0.Add(10 * time.Minute), refreshSettings{windowFactor: 1, minPeriod: 0, buffer: 5 * time.Minute}, 0, t0.Add(5 * time.Minute)},
		{"not before the minimum period", t0.Add(50 * time.Minute), t0, t0.Add(time.Hour), refreshSettings{windowFactor: 0.5, minPeriod: 2 * time.Minute, buffer: 0}, 0, t0.Add(52 * time.Minute)},
		{"buffers that do not fit", t0, t0, t0.Add(4 * time.Minute), def, 0, t0.Add(time.Duration(0.8 * float64(4*time.Minute)))},
		{"already expired", t0.Add(2 * time.Hour), t0, t0.Add(time.Hour), def, 0, t0.Add(2 * time.Hour)},
		{"no issue time: from now", t0, time.Time{}, t0.Add(time.Hour), def, 0, t0.Add(48 * time.Minute)},
	}
	for _, c := range cases {
		if got := refreshTime(c.now, c.start, c.expire, c.s, c.rnd); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got.Sub(t0), c.want.Sub(t0))
		}
	}
}
