package gemm

import (
	"fmt"
	"sync"
)

// View is a matrix view: element (i, j) is Data[i*RS + j*CS]. Mat and
// Mat64 name its two instances.
type View[T float32 | float64] struct {
	Rows, Cols int
	RS, CS     int // strides between rows and between columns, in elements
	Data       []T
}

// Mat is a float32 matrix view, the operand of MulAdd.
type Mat = View[float32]

// Mat64 is a float64 matrix view, the operand of MulAdd64.
type Mat64 = View[float64]

// Dense is the row-major (rows, cols) matrix on data.
func Dense(rows, cols int, data []float32) Mat {
	return Mat{Rows: rows, Cols: cols, RS: cols, CS: 1, Data: data}
}

// Dense64 is the row-major (rows, cols) matrix on data.
func Dense64(rows, cols int, data []float64) Mat64 {
	return Mat64{Rows: rows, Cols: cols, RS: cols, CS: 1, Data: data}
}

// T is the transpose of m, sharing its data.
func (m View[T]) T() View[T] {
	return View[T]{Rows: m.Cols, Cols: m.Rows, RS: m.CS, CS: m.RS, Data: m.Data}
}

// Slice is the view of rows [i0, i1) and columns [j0, j1) of m, sharing
// its data. It panics unless 0 <= i0 <= i1 <= m.Rows and 0 <= j0 <= j1 <=
// m.Cols.
func (m View[T]) Slice(i0, i1, j0, j1 int) View[T] {
	if i0 < 0 || i1 < i0 || i1 > m.Rows || j0 < 0 || j1 < j0 || j1 > m.Cols {
		panic(fmt.Sprintf("gemm: rows [%d, %d), columns [%d, %d) of a %dx%d matrix", i0, i1, j0, j1, m.Rows, m.Cols))
	}
	return m.rows(i0, i1).cols(j0, j1)
}

// at returns element (i, j).
func (m View[T]) at(i, j int) T { return m.Data[i*m.RS+j*m.CS] }

// check panics unless every element of m lies inside Data.
func (m View[T]) check(name string) {
	if m.Rows < 0 || m.Cols < 0 || m.RS < 0 || m.CS < 0 {
		panic(fmt.Sprintf("gemm: %s has negative size or stride: %+v", name, m.shape()))
	}
	if m.Rows == 0 || m.Cols == 0 {
		return
	}
	if last := (m.Rows-1)*m.RS + (m.Cols-1)*m.CS; last >= len(m.Data) {
		panic(fmt.Sprintf("gemm: %s %v reaches element %d of %d", name, m.shape(), last, len(m.Data)))
	}
}

func (m View[T]) shape() [4]int { return [4]int{m.Rows, m.Cols, m.RS, m.CS} }

// rows is rows [i0, i1) of m.
func (m View[T]) rows(i0, i1 int) View[T] {
	if i0 == i1 {
		return View[T]{Cols: m.Cols, RS: m.RS, CS: m.CS}
	}
	return View[T]{Rows: i1 - i0, Cols: m.Cols, RS: m.RS, CS: m.CS, Data: m.Data[i0*m.RS:]}
}

// cols is columns [j0, j1) of m.
func (m View[T]) cols(j0, j1 int) View[T] {
	if j0 == j1 {
		return View[T]{Rows: m.Rows, RS: m.RS, CS: m.CS}
	}
	return View[T]{Rows: m.Rows, Cols: j1 - j0, RS: m.RS, CS: m.CS, Data: m.Data[j0*m.CS:]}
}

// Tile and block sizes. A packed a block (mc x kc, 144 KiB) stays in L2
// while the micro-kernel streams one packed b panel (kc x 16, 16 KiB) from
// L1; a packed b block (kc x nc, 4 MiB) is reused by every a block.
const (
	mr = 6
	nr = 16
	mc = 144
	kc = 256
	nc = 4096
)

// workspace holds one worker's packed blocks: a as (mc/mr panels) x kc x
// mr, b as (nc/nr panels) x kc x nr, and an mr x nr tile for the edges
// (mc64, kc64, nc64, mr64 and nr64 for float64).
type workspace[T float32 | float64] struct {
	a, b, tile []T
}

// newPool is a pool of workspaces of the given sizes.
func newPool[T float32 | float64](a, b, tile int) *sync.Pool {
	return &sync.Pool{New: func() any {
		return &workspace[T]{a: make([]T, a), b: make([]T, b), tile: make([]T, tile)}
	}}
}

var pool = newPool[float32](mc*kc, kc*nc, mr*nr)

// shift32 sets the float32 products' split: one worker per 2^shift32
// multiply-adds at least.
const shift32 = 20

// MulAdd adds a·b to c: c (m, n) += a (m, k) · b (k, n), with c row-major
// (c.CS == 1), spreading the work over up to workers goroutines (fewer
// when the product is small). It panics when the shapes disagree or a view
// reaches outside its data, as an index out of range would.
func MulAdd(c, a, b Mat, workers int) {
	split(c, a, b, workers, shift32, mr, nr, mulAdd)
}

// split checks MulAdd's (or MulAdd64's) operands and runs one on up to
// workers goroutines (spread).
func split[T float32 | float64](c, a, b View[T], workers int, shift uint, tr, tc int, one func(c, a, b View[T])) {
	if a.Rows != c.Rows || b.Cols != c.Cols || a.Cols != b.Rows {
		panic(fmt.Sprintf("gemm: c %dx%d += a %dx%d · b %dx%d", c.Rows, c.Cols, a.Rows, a.Cols, b.Rows, b.Cols))
	}
	checkC(c)
	a.check("a")
	b.check("b")
	spread(c.Rows, c.Cols, a.Cols, workers, shift, tr, tc, func(i0, i1, j0, j1 int) {
		one(c.rows(i0, i1).cols(j0, j1), a.rows(i0, i1), b.cols(j0, j1))
	})
}

// checkC panics unless c is row-major and lies inside its data.
func checkC[T float32 | float64](c View[T]) {
	if c.CS != 1 && c.Rows > 0 && c.Cols > 1 {
		panic(fmt.Sprintf("gemm: c must be row-major, has column stride %d", c.CS))
	}
	c.check("c")
}

// spread runs f(i0, i1, j0, j1), the product of c's rows [i0, i1) and
// columns [j0, j1), on up to workers goroutines: one per 2^shift
// multiply-adds at least and at least one tile (tr x tc) row or column
// each, each on a contiguous range of c's columns (when c is wide) or rows
// (when it is tall) cut on tile boundaries, the other axis whole. It does
// nothing when the product is empty.
func spread(m, n, k, workers int, shift uint, tr, tc int, f func(i0, i1, j0, j1 int)) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	workers = max(1, min(workers, m*n*k>>shift))
	if n >= m {
		workers = min(workers, (n+tc-1)/tc)
	} else {
		workers = min(workers, (m+tr-1)/tr)
	}
	if workers == 1 {
		f(0, m, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		if n >= m {
			tiles := (n + tc - 1) / tc
			j0, j1 := min(n, w*tiles/workers*tc), min(n, (w+1)*tiles/workers*tc)
			wg.Go(func() { f(0, m, j0, j1) })
		} else {
			tiles := (m + tr - 1) / tr
			i0, i1 := min(m, w*tiles/workers*tr), min(m, (w+1)*tiles/workers*tr)
			wg.Go(func() { f(i0, i1, 0, n) })
		}
	}
	wg.Wait()
}

// Source is a float32 operand that packs itself: a matrix that is never
// laid out whole, such as a convolution's im2col matrix, whose elements
// are read straight from the image as the product packs them.
type Source interface {
	// Pack writes the operand's elements (o, l), o in [o0, o0+on) and l
	// in [l0, l0+kb), into dst as panels of w along o: panel p (p a
	// multiple of w) starts at dst[p*kb] and holds, for each l, the w
	// elements (o0+p+r, l), r < w, at [l*w + r], zero where o0+p+r >=
	// o0+on. o runs along c (a's rows, b's columns), l along the summed
	// axis.
	Pack(dst []float32, w, o0, on, l0, kb int)
}

// MulAddA is MulAdd with a (c.Rows, b.Rows) a Source, o its row.
func MulAddA(c Mat, a Source, b Mat, workers int) {
	if b.Cols != c.Cols {
		panic(fmt.Sprintf("gemm: c %dx%d += a %dx%d · b %dx%d", c.Rows, c.Cols, c.Rows, b.Rows, b.Rows, b.Cols))
	}
	checkC(c)
	b.check("b")
	spread(c.Rows, c.Cols, b.Rows, workers, shift32, mr, nr, func(i0, i1, j0, j1 int) {
		mulAddWith(c.rows(i0, i1).cols(j0, j1), b.Rows, sourceA{a, i0}, viewB{b.cols(j0, j1)})
	})
}

// MulAddB is MulAdd with b (a.Cols, c.Cols) a Source, o its column.
func MulAddB(c, a Mat, b Source, workers int) {
	if a.Rows != c.Rows {
		panic(fmt.Sprintf("gemm: c %dx%d += a %dx%d · b %dx%d", c.Rows, c.Cols, a.Rows, a.Cols, a.Cols, c.Cols))
	}
	checkC(c)
	a.check("a")
	spread(c.Rows, c.Cols, a.Cols, workers, shift32, mr, nr, func(i0, i1, j0, j1 int) {
		mulAddWith(c.rows(i0, i1).cols(j0, j1), a.Cols, viewA{a.rows(i0, i1)}, sourceB{b, j0})
	})
}

// packer packs blocks of one operand of the float32 product: elements
// (o, l), o in [o0, o0+on) along c, l in [l0, l0+kb) along the summed
// axis, as packA (a) or packB (b) lays them out.
type packer interface {
	pack(dst []float32, o0, on, l0, kb int)
}

// viewA, viewB, sourceA and sourceB are the packers of a view as a or b,
// and of a Source as a or b whose o starts at off.
type (
	viewA   struct{ m Mat }
	viewB   struct{ m Mat }
	sourceA struct {
		s   Source
		off int
	}
	sourceB struct {
		s   Source
		off int
	}
)

func (v viewA) pack(dst []float32, o0, on, l0, kb int) { packA(dst, v.m, o0, on, l0, kb) }
func (v viewB) pack(dst []float32, o0, on, l0, kb int) { packB(dst, v.m, l0, kb, o0, on) }
func (s sourceA) pack(dst []float32, o0, on, l0, kb int) {
	s.s.Pack(dst, mr, s.off+o0, on, l0, kb)
}
func (s sourceB) pack(dst []float32, o0, on, l0, kb int) {
	s.s.Pack(dst, nr, s.off+o0, on, l0, kb)
}

// mulAdd is MulAdd on one goroutine.
func mulAdd(c, a, b Mat) { mulAddWith(c, a.Cols, viewA{a}, viewB{b}) }

// mulAddWith adds a (c.Rows, k) · b (k, c.Cols) to c on one goroutine, a
// and b packed block by block by pa and pb.
func mulAddWith[PA, PB packer](c Mat, k int, pa PA, pb PB) {
	m, n := c.Rows, c.Cols
	if m == 0 || n == 0 {
		return
	}
	ws := pool.Get().(*workspace[float32])
	defer pool.Put(ws)
	for j0 := 0; j0 < n; j0 += nc {
		nb := min(nc, n-j0)
		for l0 := 0; l0 < k; l0 += kc {
			kb := min(kc, k-l0)
			pb.pack(ws.b, j0, nb, l0, kb)
			for i0 := 0; i0 < m; i0 += mc {
				mb := min(mc, m-i0)
				pa.pack(ws.a, i0, mb, l0, kb)
				for jr := 0; jr < nb; {
					// With AVX-512, two full panels of b at a time.
					step := nr
					if wide && jr+2*nr <= nb {
						step = 2 * nr
					}
					for ir := 0; ir < mb; ir += mr {
						ap := ws.a[ir*kb:]
						if ir+mr <= mb && step == 2*nr {
							kernelPair(kb, ap, ws.b[jr*kb:], ws.b[(jr+nr)*kb:], c.Data[(i0+ir)*c.RS+j0+jr:], c.RS)
							continue
						}
						for q := jr; q < jr+step; q += nr {
							bp := ws.b[q*kb:]
							ci := (i0+ir)*c.RS + j0 + q
							if ir+mr <= mb && q+nr <= nb {
								kernel(kb, ap, bp, c.Data[ci:], c.RS)
								continue
							}
							// An edge tile: the whole tile into zeros, then
							// its valid part into c (0 + t is t, so the
							// rounding is the full tile's).
							tile := (*[mr * nr]float32)(ws.tile)
							*tile = [mr * nr]float32{}
							kernel(kb, ap, bp, tile[:], nr)
							addTile(c.Data[ci:], c.RS, tile[:], nr, min(mr, mb-ir), min(nr, nb-q))
						}
					}
					jr += step
				}
			}
		}
	}
}

// addTile adds the first rows x cols elements of tile (row stride ldt) to
// c (row stride ldc): the valid part of an edge tile.
func addTile[T float32 | float64](c []T, ldc int, tile []T, ldt, rows, cols int) {
	for i := range rows {
		row := c[i*ldc:]
		for j, v := range tile[i*ldt : i*ldt+cols] {
			row[j] += v
		}
	}
}

// packA copies a's block rows [i0, i0+mb), columns [l0, l0+kb) into dst as
// panels of mr rows: panel p holds, for each l, the mr elements of rows
// p*mr.. of column l, zero past the block's last row. Both precisions'
// panels are mr rows high (mr64 is mr).
func packA[T float32 | float64](dst []T, a View[T], i0, mb, l0, kb int) {
	for p := 0; p < mb; p += mr {
		d := dst[p*kb : p*kb+kb*mr]
		rows := min(mr, mb-p)
		if rows < mr {
			clear(d)
		}
		for r := range rows {
			src := a.Data[(i0+p+r)*a.RS+l0*a.CS:]
			if a.CS == 1 {
				for l, v := range src[:kb] {
					d[l*mr+r] = v
				}
				continue
			}
			for l := range kb {
				d[l*mr+r] = src[l*a.CS]
			}
		}
	}
}

// packB copies b's block rows [l0, l0+kb), columns [j0, j0+nb) into dst as
// panels of nr columns: panel q holds, for each l, the nr elements of row l
// in columns q*nr.., zero past the block's last column.
func packB(dst []float32, b Mat, l0, kb, j0, nb int) {
	for q := 0; q < nb; q += nr {
		d := dst[q*kb : q*kb+kb*nr]
		cols := min(nr, nb-q)
		for l := range kb {
			dl := d[l*nr : l*nr+nr]
			src := b.Data[(l0+l)*b.RS+(j0+q)*b.CS:]
			switch {
			case b.CS == 1 && cols == nr:
				*(*[nr]float32)(dl) = *(*[nr]float32)(src)
			case b.CS == 1:
				copy(dl, src[:cols])
				clear(dl[cols:])
			default:
				for j := range cols {
					dl[j] = src[j*b.CS]
				}
				clear(dl[cols:])
			}
		}
	}
}

// kernelGo is the micro-kernel in Go: c (mr, nr, row stride ldc) += the
// product of the packed panels a (kb x mr) and b (kb x nr), each element's
// products summed in order from zero, then added to c. It takes one row of
// the tile at a time in sixteen scalar accumulators, which the compiler
// keeps in registers (and fuses into multiply-adds where the architecture
// has them, as arm64 does).
func kernelGo(kb int, a, b, c []float32, ldc int) {
	a, b = a[:kb*mr], b[:kb*nr]
	for i := range mr {
		var t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15 float32
		for l := range kb {
			av := a[l*mr+i]
			bl := (*[nr]float32)(b[l*nr:])
			t0 += av * bl[0]
			t1 += av * bl[1]
			t2 += av * bl[2]
			t3 += av * bl[3]
			t4 += av * bl[4]
			t5 += av * bl[5]
			t6 += av * bl[6]
			t7 += av * bl[7]
			t8 += av * bl[8]
			t9 += av * bl[9]
			t10 += av * bl[10]
			t11 += av * bl[11]
			t12 += av * bl[12]
			t13 += av * bl[13]
			t14 += av * bl[14]
			t15 += av * bl[15]
		}
		row := (*[nr]float32)(c[i*ldc:])
		row[0] += t0
		row[1] += t1
		row[2] += t2
		row[3] += t3
		row[4] += t4
		row[5] += t5
		row[6] += t6
		row[7] += t7
		row[8] += t8
		row[9] += t9
		row[10] += t10
		row[11] += t11
		row[12] += t12
		row[13] += t13
		row[14] += t14
		row[15] += t15
	}
}
