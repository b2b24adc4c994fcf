package bench

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Load is the outcome of one attack: latencies of every request, and the rate of 200 answers.
type Load struct {
	Offered  float64       `json:"offered_rps"` // 0: as fast as the workers go
	Achieved float64       `json:"achieved_rps"`
	Requests int           `json:"requests"`
	Errors   int           `json:"errors"` // anything but 200
	P50      time.Duration `json:"p50_ns"`
	P95      time.Duration `json:"p95_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
	// FirstError is the status or error of the first failed request, for the report.
	FirstError string `json:"first_error,omitempty"`
}

// request is what a targeter produces: a URL and, for the portal, a session cookie.
type request struct {
	url    string
	cookie string
}

// attack sends requests from next at rate per second (0: closed loop on workers) for d.
func attack(next func(r *rand.Rand) request, rate int, d time.Duration, workers uint64, seed uint64) Load {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, 3)) // #nosec G404 -- seeded on purpose: reproducible benchmark requests
	tr := func(t *vegeta.Target) error {
		mu.Lock()
		q := next(r)
		mu.Unlock()
		t.Method, t.URL = http.MethodGet, q.url
		t.Header = http.Header{}
		if q.cookie != "" {
			t.Header.Set("Cookie", SessionCookie+"="+q.cookie)
		}
		return nil
	}
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30 * time.Second)}
	var pacer vegeta.Pacer = vegeta.ConstantPacer{Freq: rate, Per: time.Second}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(workers), vegeta.MaxWorkers(workers), vegeta.Connections(int(workers))) // #nosec G115 -- a worker count from a flag
	} else {
		opts = append(opts, vegeta.Workers(workers), vegeta.MaxWorkers(4*workers))
	}
	at := vegeta.NewAttacker(opts...)
	var lat []time.Duration
	l := Load{Offered: float64(rate)}
	var first, last time.Time
	for res := range at.Attack(vegeta.Targeter(tr), pacer, d, "bench") {
		l.Requests++
		lat = append(lat, res.Latency)
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if res.End().After(last) {
			last = res.End()
		}
		if res.Code != http.StatusOK {
			l.Errors++
			if l.FirstError == "" {
				l.FirstError = http.StatusText(int(res.Code)) + " " + res.Error
			}
		}
	}
	if len(lat) == 0 {
		return l
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	l.P50, l.P95, l.P99, l.Max = pct(0.50), pct(0.95), pct(0.99), lat[len(lat)-1]
	if span := last.Sub(first).Seconds(); span > 0 {
		l.Achieved = float64(l.Requests-l.Errors) / span
	}
	return l
}
