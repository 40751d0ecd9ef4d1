// Package profile writes a worker's CPU, allocation, blocking and peak-heap
// profiles when TRIBUTARY_PROFILE names a file prefix (`tributary bench
// -profile` sets it per scenario).
package profile
