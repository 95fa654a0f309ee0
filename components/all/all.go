package all

import (
	_ "github.com/sslrun/sslrun/components/augment"   // augment.*
	_ "github.com/sslrun/sslrun/components/backbone"  // backbone.*
	_ "github.com/sslrun/sslrun/components/dataset"   // dataset.*
	_ "github.com/sslrun/sslrun/components/evaluate"  // evaluate.*
	_ "github.com/sslrun/sslrun/components/head"      // head.*
	_ "github.com/sslrun/sslrun/components/objective" // objective.*
	_ "github.com/sslrun/sslrun/components/optimizer" // optimizer.*
	_ "github.com/sslrun/sslrun/components/schedule"  // schedule.*
)
