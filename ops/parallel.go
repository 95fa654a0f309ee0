package ops

import (
	"runtime"
	"sync"
)

// grain is the least number of elements worth a goroutine.
const grain = 1 << 15

// parallel splits [0, items) into one contiguous range per worker (at most
// GOMAXPROCS of them, fewer when work, the elements all items touch, is
// small) and runs f(lo, hi) for each range, concurrently. Callers make
// every item's result independent of the range it falls in, so the ops'
// results do not depend on the number of workers.
func parallel(items, work int, f func(lo, hi int)) {
	nw := max(1, min(runtime.GOMAXPROCS(0), items, work/grain))
	if nw == 1 {
		f(0, items)
		return
	}
	var wg sync.WaitGroup
	for i := range nw {
		lo, hi := i*items/nw, (i+1)*items/nw
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}
