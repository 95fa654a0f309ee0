// Command sslrun validates, inspects and runs self-supervised learning
// experiments written as HCL specs.
//
//	sslrun validate [--print] [--no-data] [--var k=v]... FILE...
//	sslrun components [KIND|ID]
//	sslrun views FILE [--var k=v]... [--images N] [--out views.png]
//	sslrun bench FILE [--var k=v]... [--steps N] [--batch B] [--augment-images N] [--engine cpu|xla] [--pjrt-plugin PATH] [--precision fp32|bf16]
//	sslrun version
//
// Exit status: 0 on success, 1 when a spec or its data is wrong, 2 on a
// usage error.
package main
