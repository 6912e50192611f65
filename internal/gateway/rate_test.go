package gateway

import (
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	good := []struct {
		in   string
		want Rate
		str  string
	}{
		{"6000/5m", Rate{6000, 5 * time.Minute}, "6000/5m"},
		{" 20 / 1m ", Rate{20, time.Minute}, "20/1m"},
		{"100/s", Rate{100, time.Second}, "100/1s"},
		{"100/h", Rate{100, time.Hour}, "100/1h"},
		{"10/90s", Rate{10, 90 * time.Second}, "10/90s"},
		{"10/1m30s", Rate{10, 90 * time.Second}, "10/90s"},
		{"10/1500ms", Rate{10, 1500 * time.Millisecond}, "10/1.5s"},
		{"1000000/24h", Rate{1000000, 24 * time.Hour}, "1000000/24h"},
		{"off", Rate{}, "off"},
		{"OFF", Rate{}, "off"},
		{"0", Rate{}, "off"},
		{"", Rate{}, "off"},
	}
	for _, tc := range good {
		got, err := ParseRate(tc.in)
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("ParseRate(%q) = %+v (%s), %v; want %+v (%s)", tc.in, got, got, err, tc.want, tc.str)
		}
		if again, err := ParseRate(got.String()); err != nil || again != got {
			t.Errorf("%q does not read back: %+v, %v", got.String(), again, err)
		}
	}
	bad := []struct{ in, says string }{
		{"6000", "REQUESTS/DURATION"},
		{"6000/5x", "duration"},
		{"6000/", "duration"},
		{"abc/5m", "whole number"},
		{"-1/5m", "whole number"},
		{"0/5m", "whole number"},
		{"1.5/5m", "whole number"},
		{"2000000000/5m", "whole number"},
		{"10/500ms", "at least 1s"},
		{"10/-5m", "at least 1s"},
		{"on", "REQUESTS/DURATION"},
	}
	for _, tc := range bad {
		_, err := ParseRate(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), tc.in) {
			t.Errorf("ParseRate(%q): error %v, want one naming the value and saying %q", tc.in, err, tc.says)
		}
	}
}
