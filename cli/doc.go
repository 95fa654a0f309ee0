// Package cli is sslrun's command line: validate, inspect, run, resume,
// evaluate, sweep, lower and benchmark self-supervised learning
// experiments written as HCL specs.
//
// A binary is a main package that links the components it offers, by
// blank imports, and calls Main. cmd/sslrun is that with the built-in
// components; a custom build adds plugins from other modules:
//
//	package main
//
//	import (
//		"github.com/sslrun/sslrun/cli"
//		_ "github.com/sslrun/sslrun/components/all"
//		_ "example.com/myplugins/invert"
//	)
//
//	func main() { cli.Main() }
//
// The commands:
//
//	sslrun validate [--print] [--no-data] [--var k=v]... FILE...
//	sslrun components [KIND|ID|BLOCK]
//	sslrun views FILE [--var k=v]... [--images N] [--out views.png]
//	sslrun run FILE [--out DIR] [--var k=v]... [--max-steps N] [--engine cpu|xla]
//	sslrun resume DIR [--max-steps N | --to-end]
//	sslrun eval DIR
//	sslrun sweep FILE --grid seed=0,1,2 [--grid name=v1,v2]... --out DIR [--point I] | --collect DIR
//	sslrun plot DIR [--out FILE.png]
//	sslrun lower FILE [--batch B] --out DIR
//	sslrun bench FILE [--steps N] [--batch B] [--engine cpu|xla] [--precision fp32|bf16]
//	sslrun version
//
// Exit status (the Exit constants): 0 on success, 1 when a spec, its data
// or a run is wrong, 2 on a usage error, 3 when training stopped on a
// non-finite loss or state, 130 when interrupted.
package cli
