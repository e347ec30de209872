// Package lambdatest runs the real Lambda binaries under the AWS Lambda Runtime Interface Emulator,
// each with the configuration template.yaml gives it, and checks every deployed (linux/arm64)
// bootstrap stays under the size limit. BenchmarkColdStart prints `make bench`'s cold-start and
// size table against a bare hello-world Lambda (infra/bare).
package lambdatest
