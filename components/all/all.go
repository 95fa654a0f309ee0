package all

import (
	_ "github.com/sslrun/sslrun/components/augment" // augment.*
	_ "github.com/sslrun/sslrun/components/dataset" // dataset.*
)
