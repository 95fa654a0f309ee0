package gemm

import (
	"fmt"
	"sync"
)

// Mat64 is a float64 matrix view: element (i, j) is Data[i*RS + j*CS].
type Mat64 struct {
	Rows, Cols int
	RS, CS     int // strides between rows and between columns, in elements
	Data       []float64
}

// Dense64 is the row-major (rows, cols) matrix on data.
func Dense64(rows, cols int, data []float64) Mat64 {
	return Mat64{Rows: rows, Cols: cols, RS: cols, CS: 1, Data: data}
}

// T is the transpose of m, sharing its data.
func (m Mat64) T() Mat64 {
	return Mat64{Rows: m.Cols, Cols: m.Rows, RS: m.CS, CS: m.RS, Data: m.Data}
}

// Slice is the view of rows [i0, i1) and columns [j0, j1) of m, sharing
// its data. It panics unless 0 <= i0 <= i1 <= m.Rows and 0 <= j0 <= j1 <=
// m.Cols.
func (m Mat64) Slice(i0, i1, j0, j1 int) Mat64 {
	if i0 < 0 || i1 < i0 || i1 > m.Rows || j0 < 0 || j1 < j0 || j1 > m.Cols {
		panic(fmt.Sprintf("gemm: rows [%d, %d), columns [%d, %d) of a %dx%d matrix", i0, i1, j0, j1, m.Rows, m.Cols))
	}
	return m.rows(i0, i1).cols(j0, j1)
}

// at returns element (i, j).
func (m Mat64) at(i, j int) float64 { return m.Data[i*m.RS+j*m.CS] }

// check panics unless every element of m lies inside Data.
func (m Mat64) check(name string) {
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

func (m Mat64) shape() [4]int { return [4]int{m.Rows, m.Cols, m.RS, m.CS} }

// rows is rows [i0, i1) of m.
func (m Mat64) rows(i0, i1 int) Mat64 {
	if i0 == i1 {
		return Mat64{Cols: m.Cols, RS: m.RS, CS: m.CS}
	}
	return Mat64{Rows: i1 - i0, Cols: m.Cols, RS: m.RS, CS: m.CS, Data: m.Data[i0*m.RS:]}
}

// cols is columns [j0, j1) of m.
func (m Mat64) cols(j0, j1 int) Mat64 {
	if j0 == j1 {
		return Mat64{Rows: m.Rows, RS: m.RS, CS: m.CS}
	}
	return Mat64{Rows: m.Rows, Cols: j1 - j0, RS: m.RS, CS: m.CS, Data: m.Data[j0*m.CS:]}
}

// Tile and block sizes of the float64 product: the float32 ones with half
// as many columns to a tile (a register holds 4 doubles), so the packed
// blocks take the same bytes: a (mc64 x kc64, 144 KiB) in L2, one b panel
// (kc64 x 8, 16 KiB) in L1, a b block (kc64 x nc64) of 4 MiB.
const (
	mr64 = 6
	nr64 = 8
	mc64 = 72
	kc64 = 256
	nc64 = 2048
)

// workspace64 holds one worker's packed float64 blocks.
type workspace64 struct {
	a    []float64 // (mc64/mr64 panels) x kc64 x mr64
	b    []float64 // (nc64/nr64 panels) x kc64 x nr64
	tile [mr64 * nr64]float64
}

var pool64 = sync.Pool{New: func() any {
	return &workspace64{a: make([]float64, mc64*kc64), b: make([]float64, kc64*nc64)}
}}

// MulAdd64 is MulAdd for float64 matrices: c (m, n) += a (m, k) · b (k, n),
// c row-major, on up to workers goroutines. Each element's products are
// summed as MulAdd's are (blocks of kc64 = 256 terms, in order), so the
// result is bitwise the same whatever the number of workers. It panics
// when the shapes disagree or a view reaches outside its data.
func MulAdd64(c, a, b Mat64, workers int) {
	if a.Rows != c.Rows || b.Cols != c.Cols || a.Cols != b.Rows {
		panic(fmt.Sprintf("gemm: c %dx%d += a %dx%d · b %dx%d", c.Rows, c.Cols, a.Rows, a.Cols, b.Rows, b.Cols))
	}
	if c.CS != 1 && c.Rows > 0 && c.Cols > 1 {
		panic(fmt.Sprintf("gemm: c must be row-major, has column stride %d", c.CS))
	}
	c.check("c")
	a.check("a")
	b.check("b")
	m, n, k := c.Rows, c.Cols, a.Cols
	if m == 0 || n == 0 || k == 0 {
		return
	}
	// One worker per 2^19 multiply-adds at least (half MulAdd's figure: a
	// double costs about twice a float), and at least one tile row or
	// column each.
	workers = max(1, min(workers, m*n*k>>19))
	if n >= m {
		workers = min(workers, (n+nr64-1)/nr64)
	} else {
		workers = min(workers, (m+mr64-1)/mr64)
	}
	if workers == 1 {
		mulAdd64(c, a, b)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		if n >= m {
			tiles := (n + nr64 - 1) / nr64
			j0, j1 := min(n, w*tiles/workers*nr64), min(n, (w+1)*tiles/workers*nr64)
			wg.Go(func() { mulAdd64(c.cols(j0, j1), a, b.cols(j0, j1)) })
		} else {
			tiles := (m + mr64 - 1) / mr64
			i0, i1 := min(m, w*tiles/workers*mr64), min(m, (w+1)*tiles/workers*mr64)
			wg.Go(func() { mulAdd64(c.rows(i0, i1), a.rows(i0, i1), b) })
		}
	}
	wg.Wait()
}

// mulAdd64 is MulAdd64 on one goroutine.
//
// Packing pays when a packed panel is read many times. Where c has at most
// two tiles' worth of columns (n <= 2 nr64), each a panel is read at most
// twice, so the kernel reads a where it lies, through its strides; where c
// has at most two tiles' worth of rows and b is row-major, b likewise. A
// skinny product, such as a linear probe's scores or weight gradient over a
// few classes, then reads its large operand once, in place. Panels cut
// short by the edge of a or b are packed all the same, zero-padded. The
// kernel computes the same sums either way, so this changes no bit.
func mulAdd64(c, a, b Mat64) {
	m, n, k := c.Rows, c.Cols, a.Cols
	if m == 0 || n == 0 {
		return
	}
	directA := n <= 2*nr64
	directB := m <= 2*mr64 && b.CS == 1
	ws := pool64.Get().(*workspace64)
	defer pool64.Put(ws)
	for j0 := 0; j0 < n; j0 += nc64 {
		nb := min(nc64, n-j0)
		for l0 := 0; l0 < k; l0 += kc64 {
			kb := min(kc64, k-l0)
			if !directB {
				packB64(ws.b, b, l0, kb, j0, nb)
			}
			for i0 := 0; i0 < m; i0 += mc64 {
				mb := min(mc64, m-i0)
				if !directA {
					packA64(ws.a, a, i0, mb, l0, kb)
				}
				for jr := 0; jr < nb; jr += nr64 {
					bp, ldb := ws.b[jr*kb:], nr64
					switch {
					case directB && jr+nr64 <= nb:
						bp, ldb = b.Data[l0*b.RS+j0+jr:], b.RS
					case directB:
						packB64(ws.b, b, l0, kb, j0+jr, nb-jr)
						bp = ws.b
					}
					for ir := 0; ir < mb; ir += mr64 {
						ap, rsA, csA := ws.a[ir*kb:], 1, mr64
						switch {
						case directA && ir+mr64 <= mb:
							ap, rsA, csA = a.Data[(i0+ir)*a.RS+l0*a.CS:], a.RS, a.CS
						case directA:
							packA64(ws.a, a, i0+ir, mb-ir, l0, kb)
							ap = ws.a
						}
						ci := (i0+ir)*c.RS + j0 + jr
						if ir+mr64 <= mb && jr+nr64 <= nb {
							kernel64(kb, ap, rsA, csA, bp, ldb, c.Data[ci:], c.RS)
							continue
						}
						// An edge tile, as in mulAdd.
						clear(ws.tile[:])
						kernel64(kb, ap, rsA, csA, bp, ldb, ws.tile[:], nr64)
						for i := range min(mr64, mb-ir) {
							row := c.Data[ci+i*c.RS:]
							for j, v := range ws.tile[i*nr64 : i*nr64+min(nr64, nb-jr)] {
								row[j] += v
							}
						}
					}
				}
			}
		}
	}
}

// packA64 is packA for float64: panels of mr64 rows, zero past the block.
func packA64(dst []float64, a Mat64, i0, mb, l0, kb int) {
	for p := 0; p < mb; p += mr64 {
		d := dst[p*kb : p*kb+kb*mr64]
		rows := min(mr64, mb-p)
		if rows < mr64 {
			clear(d)
		}
		for r := range rows {
			src := a.Data[(i0+p+r)*a.RS+l0*a.CS:]
			if a.CS == 1 {
				for l, v := range src[:kb] {
					d[l*mr64+r] = v
				}
				continue
			}
			for l := range kb {
				d[l*mr64+r] = src[l*a.CS]
			}
		}
	}
}

// packB64 is packB for float64: panels of nr64 columns, zero past the
// block. A column-major b (RS 1, as the transpose of a row-major matrix)
// is read a column at a time, each column's kb elements in a row.
func packB64(dst []float64, b Mat64, l0, kb, j0, nb int) {
	for q := 0; q < nb; q += nr64 {
		d := dst[q*kb : q*kb+kb*nr64]
		cols := min(nr64, nb-q)
		if b.RS == 1 && b.CS != 1 {
			if cols < nr64 {
				clear(d)
			}
			for j := range cols {
				src := b.Data[l0+(j0+q+j)*b.CS:]
				for l, v := range src[:kb] {
					d[l*nr64+j] = v
				}
			}
			continue
		}
		for l := range kb {
			dl := d[l*nr64 : l*nr64+nr64]
			src := b.Data[(l0+l)*b.RS+(j0+q)*b.CS:]
			switch {
			case b.CS == 1 && cols == nr64:
				*(*[nr64]float64)(dl) = *(*[nr64]float64)(src)
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

// kernel64Go is the float64 micro-kernel in Go: c (mr64, nr64, row stride
// ldc) += a (mr64 x kb, element (i, l) at a[i*rsA + l*csA]) · b (kb x
// nr64, row l at b[l*ldb:]), each element's products summed in order from
// zero, then added to c; one row of the tile at a time in eight scalar
// accumulators. A packed a panel has rsA 1 and csA mr64, a packed b panel
// ldb nr64.
func kernel64Go(kb int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	for i := range mr64 {
		var t0, t1, t2, t3, t4, t5, t6, t7 float64
		for l := range kb {
			av := a[i*rsA+l*csA]
			bl := (*[nr64]float64)(b[l*ldb:])
			t0 += av * bl[0]
			t1 += av * bl[1]
			t2 += av * bl[2]
			t3 += av * bl[3]
			t4 += av * bl[4]
			t5 += av * bl[5]
			t6 += av * bl[6]
			t7 += av * bl[7]
		}
		row := (*[nr64]float64)(c[i*ldc:])
		row[0] += t0
		row[1] += t1
		row[2] += t2
		row[3] += t3
		row[4] += t4
		row[5] += t5
		row[6] += t6
		row[7] += t7
	}
}
