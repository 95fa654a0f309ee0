// Package buildinfo reports which sslrun binary is running, for
// `sslrun version` and for the record a run leaves behind.
package buildinfo
