package transforms

import (
	"testing"
	"time"
)

// TestDateFormatLetters checks every SimpleDateFormat pattern letter
// against what java.text.SimpleDateFormat (en_US, UTC) writes for
// 2017-01-03T06:30:01.864Z (a Tuesday, TimestampRouterTest's instant) and
// for instants at the edges of weeks, days and years, as the
// SimpleDateFormat documentation defines the letters.
func TestDateFormatLetters(t *testing.T) {
	ts := time1483425001864()
	for _, c := range []struct {
		pattern string
		at      time.Time
		want    string
	}{
		{"G yyyy yy y", ts, "AD 2017 17 2017"},
		{"MMMM MMM MM M LLLL LLL L", ts, "January Jan 01 1 January Jan 1"},
		{"dd d DDD D F", ts, "03 3 003 3 1"},
		{"EEEE EEE E u", ts, "Tuesday Tue Tue 2"},
		{"w ww W", ts, "1 01 1"},
		{"a HH H kk k KK K hh h", ts, "AM 06 6 06 6 06 6 06 6"},
		{"mm ss SSS S", ts, "30 01 864 864"},
		{"z zzzz Z X XX XXX", ts, "UTC Coordinated Universal Time +0000 Z Z Z"},
		// Midnight and noon for k, K and h.
		{"k K h a", time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), "24 0 12 AM"},
		{"k K h a", time.Date(2017, 1, 1, 12, 0, 0, 0, time.UTC), "12 0 12 PM"},
		// Week years: 31 December 2017 is a Sunday, in week 1 of 2018 in
		// the US rules; 31 December 2016 a Saturday, the last day of week
		// 53 of 2016.
		{"YYYY-'w'ww yyyy E", time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC), "2018-w01 2017 Sun"},
		{"YYYY-'w'ww W", time.Date(2016, 12, 31, 0, 0, 0, 0, time.UTC), "2016-w53 5"},
		{"u F", time.Date(2017, 1, 15, 0, 0, 0, 0, time.UTC), "7 3"},
		{"G y", time.Date(0, 6, 1, 0, 0, 0, 0, time.UTC), "BC 1"},
	} {
		f, err := compileDateFormat(c.pattern)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		if got := f.format(c.at); got != c.want {
			t.Errorf("%q at %s = %q, want %q", c.pattern, c.at, got, c.want)
		}
	}
}

func TestDateFormatCompileErrors(t *testing.T) {
	for p, want := range map[string]string{
		"yyyy-qq": "Illegal pattern character 'q'",
		"bad":     "Illegal pattern character 'b'",
		"'abc":    "Unterminated quote",
		"XXXX":    "invalid ISO 8601 format: length=4",
	} {
		if _, err := compileDateFormat(p); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", p, err, want)
		}
	}
}

// TestDateFormatParse checks the lenient SimpleDateFormat.parse: abutting
// numeric fields take their width, others every digit; names in any case;
// time zones; out-of-range fields rolling over; text after the pattern
// ignored; two-digit years within 80 years before now.
func TestDateFormatParse(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		pattern, in string
		want        time.Time
	}{
		{"yyyy MM dd HH mm ss SSS z", "1970 01 02 00 00 01 234 UTC", time.UnixMilli(86401234).UTC()},
		{"yyyyMMddHHmmss", "20170103063001", time.Date(2017, 1, 3, 6, 30, 1, 0, time.UTC)},
		{"yyyy-MM-dd", "2017-1-3", time.Date(2017, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"yyyy-MM-dd", "2017-13-01", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"yyyy-MM-dd", "2017-01-03 and more", time.Date(2017, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"dd MMM yyyy", "03 jan 2017", time.Date(2017, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"EEEE, MMMM d, yyyy h:mm a", "Tuesday, January 3, 2017 6:30 PM", time.Date(2017, 1, 3, 18, 30, 0, 0, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2017-01-03T06:30:01.864+02:00", time.Date(2017, 1, 3, 4, 30, 1, 864e6, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ssX", "2017-01-03T06:30:01Z", time.Date(2017, 1, 3, 6, 30, 1, 0, time.UTC)},
		{"yyyy-MM-dd HH:mm Z", "2017-01-03 06:30 -0130", time.Date(2017, 1, 3, 8, 0, 0, 0, time.UTC)},
		{"yyyy-MM-dd HH:mm z", "2017-01-03 06:30 GMT+01:00", time.Date(2017, 1, 3, 5, 30, 0, 0, time.UTC)},
		{"yy-MM-dd", "17-01-03", time.Date(2017, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"yy-MM-dd", "50-01-03", time.Date(1950, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"yyyy D", "2017 60", time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"dd/MM/yyyy kk:mm", "03/01/2017 24:00", time.Date(2017, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"G yyyy", "BC 0001", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		f, err := compileDateFormat(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.parse(c.in, now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("parse(%q, %q) = %s, %v; want %s", c.pattern, c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ pattern, in string }{
		{"yyyy-MM-dd", "2017/01/03"},
		{"yyyy-MM-dd", ""},
		{"MMM yyyy", "Foo 2017"},
		{"HH:mm z", "06:30 PST"},
	} {
		f, _ := compileDateFormat(c.pattern)
		if got, err := f.parse(c.in, now); err == nil {
			t.Errorf("parse(%q, %q) = %s, want an error", c.pattern, c.in, got)
		}
	}
}

// FuzzDateFormat checks that any pattern either compiles or is refused,
// and that formatting and parsing never panic.
func FuzzDateFormat(f *testing.F) {
	for _, s := range []string{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "'it''s' EEE", "YYYY-'w'ww", "G", "''", "'", "XXXX", "kK hH a"} {
		f.Add(s, "2017-01-03T06:30:01.864Z")
	}
	f.Fuzz(func(t *testing.T, pattern, in string) {
		df, err := compileDateFormat(pattern)
		if err != nil {
			return
		}
		out := df.format(time1483425001864())
		_, _ = df.parse(out, time1483425001864())
		_, _ = df.parse(in, time1483425001864())
	})
}
