// Package spec loads experiment files written in HCL and resolves them into
// an Experiment: variables (with --var overrides) and locals substituted,
// HCL's standard functions evaluated, every component block looked up in the
// registry and decoded against that component's own schema, every default
// filled. Relative paths resolve from the spec file's folder.
//
// All problems in a file are reported together as an *Error whose lines read
// file:line,column, so users fix a spec in one pass.
package spec
