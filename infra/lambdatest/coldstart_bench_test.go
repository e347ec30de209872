package lambdatest

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// BenchmarkColdStartHealth measures a cold start of the health function as a
// caller sees it: from starting a fresh emulator to the first answer, which
// includes the process start, config load and the first connections to
// MongoDB and Redis. It also reports the size of the binary, the other thing
// that drives cold starts on Lambda.
//
// Each iteration also pays ~600ms, untimed, to stop the emulator (see
// rieProcess.stop), so prefer a fixed count: -benchtime 10x.
func BenchmarkColdStartHealth(b *testing.B) {
	env := requireEnv(b)
	bootstrap := buildFunction(b, "health")
	info, err := os.Stat(bootstrap)
	if err != nil {
		b.Fatal(err)
	}
	fnEnv := healthEnv(env)
	event := healthRequest("bench-coldstart")

	var total time.Duration
	for b.Loop() {
		start := time.Now()
		p := launchRIE(b, bootstrap, fnEnv)
		resp := invoke[events.APIGatewayV2HTTPResponse](b, p.invokeURL, event)
		total += time.Since(start)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, want 200; body %s", resp.StatusCode, resp.Body)
		}

		// Stop now rather than at cleanup so emulators don't pile up and
		// the next cold start has the machine to itself.
		b.StopTimer()
		p.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/coldstart")
	b.ReportMetric(float64(info.Size())/1e6, "MB")
}
