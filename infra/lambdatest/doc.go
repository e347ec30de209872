// Package lambdatest runs the real Lambda binaries under the AWS Lambda Runtime Interface Emulator.
package lambdatest
