// Command sslrun is the sslrun command line (package cli) with the
// built-in components. A build with components of your own is this file
// with their packages blank-imported beside components/all.
package main

import (
	"github.com/sslrun/sslrun/cli"
	_ "github.com/sslrun/sslrun/components/all"
)

func main() { cli.Main() }
