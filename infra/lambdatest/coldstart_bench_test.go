package lambdatest

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// Targets the project holds itself to; the benchmark marks a miss with "!"
// but never fails on time (TestBootstrapSize enforces the size, which is
// deterministic).
const coldStartRatioTarget = 1.5

// BenchmarkColdStart prints, for every function in the Makefile's FUNCTIONS
// list and for a bare hello-world Lambda (infra/bare), the linux/arm64
// stripped bootstrap size and the median cold start under the RIE, each as
// a ratio to bare.
//
// A cold start is what a caller sees: from starting a fresh emulator to the
// first answer, so it includes the process start, package init, config load
// and the adapter. Each function runs with its deployed configuration
// (deployedEnv) and gets a cheap first event (firstEvent). The binaries run
// are host builds with the same flags, since the RIE runs them natively.
//
// b.N is the number of rounds (-benchtime 15x: 15 starts of each); every
// round starts each binary once, rotating which goes first, so machine noise
// falls on all alike. One untimed round first pays for reading the binaries
// from disk. With BENCH_COLDSTART_OUT set, the rows are also written there
// as markdown, for make bench's table. Each start also pays ~600ms, untimed, to stop the emulator (see
// rieProcess.stop) so the next start has the machine to itself.
func BenchmarkColdStart(b *testing.B) {
	env := requireEnv(b)
	type subject struct {
		name, id string
		host     string // bootstrap run under the RIE
		size     int64  // linux/arm64 bootstrap, as deployed
		env      map[string]string
		ev       startEvent
		times    []time.Duration
	}
	bare := &subject{name: "bare (infra/bare)", id: "bare", env: lambdaProvided(mustTemplate(b).Globals.Function.MemorySize),
		ev: startEvent{kind: "HttpApi", payload: apiRequest(http.MethodGet, "/", "")}}
	subjects := []*subject{bare}
	pkgs := []string{"infra/bare"}
	for _, fn := range makefileFunctions(b) {
		subjects = append(subjects, &subject{name: fn.ID, id: fn.ID, env: deployedEnv(b, env, fn.ID), ev: firstEvent(b, fn.ID)})
		pkgs = append(pkgs, "functions/"+fn.Folder)
	}
	for i, s := range subjects {
		s.host = buildBootstrap(b, pkgs[i], runtime.GOARCH)
		info, err := os.Stat(buildBootstrap(b, pkgs[i], "arm64"))
		if err != nil {
			b.Fatal(err)
		}
		s.size = info.Size()
	}

	start := func(s *subject) time.Duration {
		t0 := time.Now()
		p := launchRIE(b, s.host, s.env)
		answerFirst(b, p.invokeURL, s.id, s.ev)
		d := time.Since(t0)
		p.stop()
		return d
	}
	for _, s := range subjects {
		start(s)
	}
	for round := 0; b.Loop(); round++ {
		for i := range subjects {
			s := subjects[(round+i)%len(subjects)]
			s.times = append(s.times, start(s))
		}
	}

	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
	bareMedian := median(bare.times)
	var out strings.Builder
	fmt.Fprintf(&out, "\nCold start: median of %d interleaved starts each under the RIE (host build, %s/%s); size: linux/arm64 stripped bootstrap.\n",
		len(bare.times), runtime.GOOS, runtime.GOARCH)
	w := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "function\tsize\tsize ×bare\tcold start\tmin–max\tcold ×bare\t")
	worst := 0.0
	var rows strings.Builder // for make bench's table (BENCH_COLDSTART_OUT)
	for _, s := range subjects {
		med := median(s.times)
		ratio := float64(med) / float64(bareMedian)
		if s != bare {
			worst = max(worst, ratio)
			met := "yes"
			if ratio > coldStartRatioTarget || s.size > sizeLimit {
				met = "!"
			}
			fmt.Fprintf(&rows, "| cold start under the RIE: %s (median of %d; arm64 bootstrap size) | %.1f ms · %.1f MiB | bare: %.1f ms · %.1f MiB | %.2f (size %.2f) | ≤ %.1f× bare, ≤ %d MiB | %s |\n",
				s.name, len(s.times), ms(med), mib(s.size), ms(bareMedian), mib(bare.size), ratio, float64(s.size)/float64(bare.size),
				coldStartRatioTarget, sizeLimit>>20, met)
		}
		fmt.Fprintf(w, "%s\t%.1f MiB%s\t%.2f\t%.1f ms\t%.0f–%.0f ms\t%.2f%s\t\n",
			s.name, mib(s.size), mark(s.size > sizeLimit), float64(s.size)/float64(bare.size),
			ms(med), ms(slices.Min(s.times)), ms(slices.Max(s.times)), ratio, mark(ratio > coldStartRatioTarget))
	}
	w.Flush()
	fmt.Fprintf(&out, "Targets: cold start ≤ %.1f× bare, bootstrap ≤ %d MiB (! marks a miss).\n\n", coldStartRatioTarget, sizeLimit>>20)
	// Straight to stdout rather than b.Log, which would prefix every line.
	fmt.Print(out.String())
	if path := os.Getenv("BENCH_COLDSTART_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(rows.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(ms(bareMedian), "ms/bare-coldstart")
	b.ReportMetric(worst, "worst-ratio")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func mark(miss bool) string {
	if miss {
		return " !"
	}
	return ""
}
